// Peer review (IQS): the *Reviews* dialog. "To review" lists this week's colleagues'
// conversations; opening one shows the thread read-only beside the scorecard. "About my work"
// shows what colleagues scored; admins also see "Calibration" (conversations two reviewers
// scored, side by side).

import { clockTime, el } from "./dom.js";
import { api } from "./http.js";

const BASE = "/api/v1/quality/reviews";

function threadView(messages) {
  return el(
    "ol",
    { class: "review-thread", "aria-label": "The conversation (read-only)" },
    ...messages.map((m) =>
      el(
        "li",
        { class: `review-message ${m.author.kind}${m.internal ? " note" : ""}` },
        el("div", { class: "meta" }, el("strong", { text: m.author.name || m.author.kind }), el("span", { text: clockTime(m.created_at) }), m.internal ? el("span", { text: "note" }) : null),
        el("div", { class: "text", text: m.text || (m.images ? `${m.images} image(s)` : "") }),
      ),
    ),
  );
}

function scoreFields(scorecard, given) {
  return scorecard.criteria.map((criterion) =>
    el(
      "fieldset",
      { class: "criterion" },
      el("legend", { text: `${criterion.label} (weight ${criterion.weight})` }),
      ...Array.from({ length: scorecard.scale }, (_, index) => {
        const value = index + 1;
        const input = el("input", { type: "radio", name: criterion.key, value: String(value), required: true, disabled: Boolean(given) });
        if (given?.scores[criterion.key] === value) input.checked = true;
        return el("label", { class: "score" }, input, String(value));
      }),
    ),
  );
}

function summary(review) {
  return review ? `IQS ${review.score}` : "Not scored yet";
}

export function installReviews(button, { isAdmin }) {
  const body = el("div", { class: "reviews-body" });
  const error = el("p", { class: "form-error", role: "alert" });
  const close = el("button", { type: "button", text: "Close" });
  const tabs = [["mine", "To review"], ["about", "About my work"], ...(isAdmin ? [["calibration", "Calibration"]] : [])];
  const tabButtons = tabs.map(([key, title]) => {
    const tab = el("button", { type: "button", role: "tab", "data-review-tab": key, text: title });
    tab.addEventListener("click", () => show(key));
    return tab;
  });
  const dialog = el(
    "div",
    { id: "reviews-dialog", class: "overlay", role: "dialog", "aria-modal": "true", "aria-labelledby": "reviews-title", hidden: true },
    el("div", { class: "card wider" }, el("h2", { id: "reviews-title", text: "Reviews" }), el("div", { class: "review-tabs", role: "tablist" }, ...tabButtons), body, error, el("div", { class: "form-actions" }, close)),
  );
  document.body.append(dialog);

  function assignmentRow(assignment, label) {
    const open = el("button", { type: "button", class: "link", text: label });
    open.addEventListener("click", () => openReview(assignment.id));
    return el("li", { class: "review-item" }, open, el("span", { class: "muted", text: summary(assignment.review) }), assignment.review?.comment ? el("p", { class: "review-comment", text: assignment.review.comment }) : null);
  }

  async function showMine() {
    const { assignments } = await api("GET", `${BASE}/mine`);
    body.replaceChildren(
      assignments.length
        ? el("ul", { class: "review-list" }, ...assignments.map((a) => assignmentRow(a, `A conversation ${a.agent.name} handled`)))
        : el("p", { class: "muted", text: "Nothing to review this week: no colleague resolved a conversation in the last seven days." }),
    );
  }

  async function showAbout() {
    const { reviews } = await api("GET", `${BASE}/about-me`);
    body.replaceChildren(
      reviews.length
        ? el("ul", { class: "review-list" }, ...reviews.map((a) => assignmentRow(a, `Reviewed by ${a.reviewer.name}`)))
        : el("p", { class: "muted", text: "No reviews of your conversations yet." }),
    );
  }

  async function showCalibration() {
    const { conversations } = await api("GET", `${BASE}/calibration`);
    body.replaceChildren(
      conversations.length
        ? el(
            "ul",
            { class: "review-list" },
            ...conversations.map((c) =>
              el("li", { class: "review-item" }, el("strong", { text: `Spread ${c.spread} points` }), ...c.reviews.map((r) => el("div", { class: "muted", text: `IQS ${r.score}: ${Object.entries(r.scores).map(([k, v]) => `${k} ${v}`).join(", ")}${r.comment ? ` — ${r.comment}` : ""}` }))),
            ),
          )
        : el("p", { class: "muted", text: "No conversation has two reviews yet." }),
    );
  }

  async function openReview(id) {
    const opened = await api("GET", `${BASE}/${encodeURIComponent(id)}`);
    const mine = opened.reviewer.id === document.getElementById("console").dataset.agentId;
    const comment = el("textarea", { name: "comment", rows: 3, maxLength: 2000, disabled: Boolean(opened.review) || !mine, value: opened.review?.comment || "" });
    const submit = el("button", { type: "submit", class: "primary", text: "Submit review", hidden: Boolean(opened.review) || !mine });
    const form = el(
      "form",
      { class: "scorecard", "aria-label": "Scorecard" },
      el("h3", { text: opened.review ? `Scored: IQS ${opened.review.score}` : "Scorecard" }),
      ...scoreFields(opened.scorecard, opened.review),
      el("label", { class: "field" }, el("span", { text: "Comment" }), comment),
      el("div", { class: "form-actions" }, submit),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const scores = Object.fromEntries(opened.scorecard.criteria.map((c) => [c.key, Number(new FormData(form).get(c.key))]));
      try {
        await api("POST", `${BASE}/${encodeURIComponent(id)}`, { scores, comment: comment.value });
        await openReview(id);
      } catch (failure) {
        error.textContent = failure.message;
      }
    });
    body.replaceChildren(
      el("p", { class: "muted", text: `A conversation ${opened.agent.name} handled, reviewed by ${opened.reviewer.name}.` }),
      el("div", { class: "review-screen" }, threadView(opened.thread), form),
    );
  }

  async function show(key) {
    error.textContent = "";
    for (const tab of tabButtons) tab.setAttribute("aria-selected", String(tab.dataset.reviewTab === key));
    try {
      await { mine: showMine, about: showAbout, calibration: showCalibration }[key]();
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  button.addEventListener("click", () => {
    dialog.hidden = false;
    show("mine");
    close.focus();
  });
  close.addEventListener("click", () => {
    dialog.hidden = true;
    button.focus();
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      dialog.hidden = true;
    }
  });
}
