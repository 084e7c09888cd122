// A/B tests of a saved reply: start one (admins), read its results (counts, rates with 95%
// intervals, each variant's test against A) and end it keeping the winner.

import { el } from "./dom.js";
import { api } from "./http.js";

const MAX_VARIANTS = 4;
const MEASURES = [
  ["csat", "CSAT (4-5 stars)"],
  ["stayed_resolved", "Stayed resolved 7 days"],
  ["asked_again", "Asked again (lower is better)"],
];

const percent = (value) => `${Math.round(value * 100)}%`;

function rateCell(measure) {
  if (!measure.trials) return el("td", { class: "muted", text: "no data yet" });
  const [low, high] = measure.interval;
  const cell = el("td", {}, el("strong", { text: percent(measure.rate) }), ` ${measure.successes}/${measure.trials}`);
  cell.append(el("div", { class: "muted", text: `95% CI ${percent(low)}–${percent(high)}` }));
  const versus = measure.versus_a;
  if (versus) {
    const test = versus.test === "z" ? `z = ${versus.statistic.toFixed(2)}` : "Fisher's exact";
    const verdict = versus.significant ? "differs from A" : "no clear difference";
    cell.append(el("div", { class: versus.significant ? "significant" : "muted", text: `vs A: ${test}, p = ${versus.p_adjusted.toFixed(3)} (${verdict})` }));
  }
  return cell;
}

function resultsTable(results, { isAdmin, onEnd }) {
  const running = results.experiment.running;
  const head = el("tr", {}, el("th", { text: "Variant" }), el("th", { text: "Episodes" }), ...MEASURES.map(([, title]) => el("th", { text: title })));
  if (running && isAdmin) head.append(el("th", { text: "" }));
  const rows = results.variants.map((variant) => {
    const row = el(
      "tr",
      { "data-variant": variant.label },
      el("th", { scope: "row" }, el("span", { class: "variant-label", text: variant.label }), el("div", { class: "variant-body", text: variant.body })),
      el("td", { text: String(variant.episodes) }),
      ...MEASURES.map(([name]) => rateCell(variant.measures[name])),
    );
    if (running && isAdmin) {
      const keep = el("button", { type: "button", text: `Keep ${variant.label}`, "aria-label": `End the test, keep variant ${variant.label}` });
      keep.addEventListener("click", () => onEnd(variant));
      row.append(el("td", {}, keep));
    } else if (results.experiment.winner === variant.number) {
      row.classList.add("winner");
    }
    return row;
  });
  return el("table", { class: "test-results" }, el("thead", {}, head), el("tbody", {}, ...rows));
}

export function installReplyTests({ isAdmin, onChange }) {
  const title = el("h2", { id: "reply-test-title" });
  const body = el("div", { class: "reply-test-body" });
  const error = el("p", { class: "form-error", role: "alert" });
  const close = el("button", { type: "button", text: "Close" });
  const dialog = el(
    "div",
    { id: "reply-test-dialog", class: "overlay", role: "dialog", "aria-modal": "true", "aria-labelledby": "reply-test-title", hidden: true },
    el("div", { class: "card wider" }, title, body, error, el("div", { class: "form-actions" }, close)),
  );
  document.body.append(dialog);
  let reply = null;

  async function showResults(test) {
    const results = await api("GET", `/api/v1/quality/tests/${encodeURIComponent(test.id)}`);
    const state = results.experiment.running ? "Running since" : "Ended";
    const when = new Date(results.experiment.running ? results.experiment.started_at : results.experiment.ended_at).toLocaleString();
    body.replaceChildren(
      el("p", { class: "muted", text: `${state} ${when}.` }),
      resultsTable(results, {
        isAdmin,
        onEnd: async (variant) => {
          if (!confirm(`End the test and keep variant ${variant.label} as /${reply.shortcut}?`)) return;
          try {
            await api("POST", `/api/v1/quality/tests/${encodeURIComponent(test.id)}/end`, { winner: variant.number });
            await render();
            onChange();
          } catch (failure) {
            error.textContent = failure.message;
          }
        },
      }),
      el("p", { class: "hint", text: results.method }),
    );
  }

  function startForm() {
    const list = el("div", { class: "variant-fields" });
    const addField = (text) => {
      const label = "ABCD"[list.children.length];
      list.append(el("label", { class: "field" }, el("span", { text: `Variant ${label}` }), el("textarea", { name: `variant-${label}`, rows: 3, maxLength: 5000, required: true, value: text })));
      more.hidden = list.children.length >= MAX_VARIANTS;
    };
    const more = el("button", { type: "button", text: "Add a variant" });
    more.addEventListener("click", () => addField(""));
    const start = el("button", { type: "submit", class: "primary", text: "Start the test" });
    const form = el("form", { class: "reply-form" }, el("p", { class: "hint", text: "Each conversation that inserts this reply draws one wording at random and keeps it." }), list, el("div", { class: "form-actions" }, more, start));
    addField(reply.body);
    addField("");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const variants = [...list.querySelectorAll("textarea")].map((field) => field.value);
      try {
        await api("POST", `/api/v1/quality/saved-replies/${encodeURIComponent(reply.id)}/tests`, { variants });
        await render();
      } catch (failure) {
        error.textContent = failure.message;
      }
    });
    return form;
  }

  async function render() {
    error.textContent = "";
    title.textContent = `A/B test of /${reply.shortcut}`;
    const { tests } = await api("GET", `/api/v1/quality/saved-replies/${encodeURIComponent(reply.id)}/tests`);
    const running = tests.find((test) => test.running);
    if (running) return showResults(running);
    body.replaceChildren(isAdmin ? startForm() : el("p", { class: "muted", text: "No test is running. An admin can start one." }));
    const past = tests.filter((test) => !test.running);
    if (past.length) {
      const links = past.map((test) => {
        const open = el("button", { type: "button", class: "link", text: `Ended ${new Date(test.ended_at).toLocaleDateString()}: kept ${"ABCD"[test.winner]}` });
        open.addEventListener("click", () => showResults(test));
        return el("li", {}, open);
      });
      body.append(el("h3", { text: "Earlier tests" }), el("ul", { class: "earlier-tests" }, ...links));
    }
  }

  close.addEventListener("click", () => {
    dialog.hidden = true;
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      dialog.hidden = true;
    }
  });

  return async function open(chosen) {
    reply = chosen;
    dialog.hidden = false;
    try {
      await render();
    } catch (failure) {
      error.textContent = failure.message;
    }
    close.focus();
  };
}
