// The known issues page: every issue with its counts, create, edit, the linked conversations,
// and "mark fixed" with a saved reply or custom text. Conversations are linked from the
// conversation view (issue_link.js).

import { el } from "./dom.js";
import { api } from "./http.js";

const BASE = "/api/v1/console/issues";
const status = document.getElementById("issues-status");
const detail = document.getElementById("issue-detail");
const editForm = document.getElementById("edit-form");
const fixForm = document.getElementById("fix-form");
let selected = null;

function say(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

async function attempt(action, done) {
  try {
    await action();
    if (done) say(done);
  } catch (error) {
    say(error.message, true);
  }
}

function row(issue) {
  const counts = issue.counts;
  const tracker = issue.tracker_url
    ? el("a", { href: issue.tracker_url, text: "Tracker", target: "_blank", rel: "noopener noreferrer" })
    : "–";
  return el(
    "tr",
    { class: issue.id === selected ? "selected" : "", "data-issue": issue.id },
    el("td", {}, el("button", { type: "button", class: "issue-title", text: issue.title, onclick: () => select(issue.id) })),
    el("td", { class: `status-${issue.status}`, text: issue.status === "fixed" ? "Fixed" : "Open" }),
    el("td", {}, tracker),
    ...["conversations", "notified", "read", "replied"].map((name) => el("td", { "data-count": name, text: String(counts[name]) })),
  );
}

async function load() {
  const [{ issues }, totals] = await Promise.all([api("GET", BASE), api("GET", `${BASE}/report`)]);
  document.getElementById("issue-rows").replaceChildren(...issues.map(row));
  document.getElementById("issues-totals").textContent =
    `${totals.open} open, ${totals.fixed} fixed · ${totals.conversations} conversations linked, ` +
    `${totals.notified} notified, ${totals.read} read, ${totals.replied} replied`;
  if (selected) await select(selected);
}

async function select(id) {
  selected = id;
  for (const tr of document.querySelectorAll("#issue-rows tr")) tr.classList.toggle("selected", tr.dataset.issue === id);
  const issue = await api("GET", `${BASE}/${id}`);
  detail.hidden = false;
  document.getElementById("detail-title").textContent = issue.title;
  editForm.elements.title.value = issue.title;
  editForm.elements.tracker_url.value = issue.tracker_url || "";
  document.getElementById("linked").replaceChildren(
    ...(issue.conversations.length
      ? issue.conversations.map((link) =>
          el("li", {}, el("span", { class: "mono", text: link.conversation_id }), link.notified ? " · notified" : ""),
        )
      : [el("li", { class: "hint", text: "No conversation linked yet." })]),
  );
  const fixed = issue.status === "fixed";
  document.getElementById("fixed-note").hidden = !fixed;
  document.getElementById("fixed-text").textContent = issue.fix_message || "";
  fixForm.hidden = fixed;
}

async function loadSavedReplies() {
  const { saved_replies: replies } = await api("GET", "/api/v1/console/saved-replies");
  fixForm.elements.saved_reply_id.append(...replies.map((reply) => el("option", { value: reply.id, text: reply.title })));
}

document.getElementById("issue-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  attempt(async () => {
    const issue = await api("POST", BASE, { title: form.elements.title.value, tracker_url: form.elements.tracker_url.value || null });
    form.reset();
    selected = issue.id;
    await load();
  }, "Created.");
});

editForm.addEventListener("submit", (event) => {
  event.preventDefault();
  attempt(async () => {
    await api("PATCH", `${BASE}/${selected}`, {
      title: editForm.elements.title.value,
      tracker_url: editForm.elements.tracker_url.value || null,
    });
    await load();
  }, "Saved.");
});

fixForm.elements.saved_reply_id.addEventListener("change", () => {
  fixForm.elements.text.disabled = Boolean(fixForm.elements.saved_reply_id.value);
});

fixForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const replyId = fixForm.elements.saved_reply_id.value;
  const body = replyId ? { saved_reply_id: replyId } : { text: fixForm.elements.text.value };
  attempt(async () => {
    const issue = await api("POST", `${BASE}/${selected}/fixed`, body);
    fixForm.reset();
    await load();
    say(`Fixed: ${issue.counts.notified} conversations notified.`);
  });
});

attempt(() => Promise.all([load(), loadSavedReplies()]));
