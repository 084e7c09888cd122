// "Known issue" in the conversation view: which known issues the open conversation is linked
// to, and linking it to an open one, so the visitor hears when it is fixed.

import { el } from "./dom.js";
import { api } from "./http.js";

const BASE = "/api/v1/console/issues";

export function installIssueLink(button, activeId) {
  const list = el("ul", { class: "issue-links" });
  const choice = el("select", { id: "issue-link-choice" });
  const status = el("p", { class: "hint", role: "status" });
  const form = el(
    "form",
    { method: "dialog" },
    el("label", { htmlFor: "issue-link-choice", text: "Link to an open issue" }),
    choice,
    el("button", { type: "button", class: "primary", text: "Link", onclick: link }),
  );
  const dialog = el(
    "dialog",
    { class: "card", "aria-labelledby": "issue-link-title" },
    el("h2", { id: "issue-link-title", text: "Known issues" }),
    list,
    form,
    status,
    el("p", {}, el("a", { href: "/console/issues", text: "All known issues" })),
    el("button", { type: "button", text: "Close", onclick: () => dialog.close() }),
  );
  document.body.append(dialog);

  async function show() {
    const id = activeId();
    if (!id) return;
    status.textContent = "";
    const [linked, all] = await Promise.all([
      api("GET", `${BASE}?conversation_id=${encodeURIComponent(id)}`),
      api("GET", BASE),
    ]);
    const linkedIds = new Set(linked.issues.map((issue) => issue.id));
    list.replaceChildren(
      ...(linked.issues.length
        ? linked.issues.map((issue) => el("li", { text: `${issue.title} (${issue.status === "fixed" ? "fixed" : "open"})` }))
        : [el("li", { class: "hint", text: "Not linked to a known issue." })]),
    );
    const open = all.issues.filter((issue) => issue.status === "open" && !linkedIds.has(issue.id));
    choice.replaceChildren(...open.map((issue) => el("option", { value: issue.id, text: issue.title })));
    form.hidden = open.length === 0;
    if (!dialog.open) dialog.showModal();
  }

  async function link() {
    try {
      await api("POST", `${BASE}/${choice.value}/conversations`, { conversation_id: activeId() });
      await show();
      status.textContent = "Linked.";
    } catch (error) {
      status.textContent = error.message;
    }
  }

  button.addEventListener("click", () => show().catch((error) => { status.textContent = error.message; }));
}
