// The knowledge-base panel: search as the agent (prefilled with the visitor's last message),
// the bot's suggestions for this conversation, and one click to insert an article's link.

import { el } from "./dom.js";

// Logged apart from visitors' searches, so writers' reports show what agents look for; the
// automatic search for the visitor's last message is marked apart again, so the knowledge
// report's "top searches" counts only what someone typed.
const TYPED = "agent";
const PREFILL = "agent_prefill";

export function installKb({ insert }) {
  const form = document.getElementById("kb-search");
  const input = document.getElementById("kb-query");
  const results = document.getElementById("kb-results");
  const suggested = document.getElementById("kb-suggested");
  let searchId = 0;
  let timer = null;
  let shownId = null;
  let prefilled = null; // what we put in the box; once the agent edits it, it is theirs

  function item(result) {
    const link = `${result.title}: ${new URL(result.url, location.origin).href}`;
    return el(
      "li",
      { class: "kb-item" },
      el("button", { type: "button", class: "kb-insert", title: "Insert the link into the reply", text: result.title, onclick: () => insert(link) }),
      el("span", { class: "kb-category", text: result.category || result.kind }),
    );
  }

  async function search(source = TYPED) {
    const query = input.value.trim().slice(0, 200);
    const mine = ++searchId;
    if (!query) {
      results.replaceChildren();
      return;
    }
    const params = new URLSearchParams({ q: query, limit: "6", source });
    const response = await fetch(`/api/v1/kb/search?${params}`, { credentials: "same-origin" });
    if (mine !== searchId) return; // a newer search already answered
    const found = response.ok ? (await response.json()).results : [];
    const none = response.ok ? "No articles found." : "Search is unavailable right now.";
    results.replaceChildren(...(found.length ? found.map(item) : [el("li", { class: "empty", text: none })]));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(), 300);
  });

  // Called on every render; searches again only when the prefill changes.
  return function showConversation(id, { lastVisitorText, suggestions }) {
    document.getElementById("kb-panel").hidden = !id;
    if (id !== shownId) {
      shownId = id;
      prefilled = input.value = "";
    }
    // One line, words kept apart: a search box drops line breaks, which would glue
    // "Line one\nLine two" into "Line oneLine two".
    const prefill = (lastVisitorText || "").replace(/\s+/g, " ").trim().slice(0, 200);
    if (input.value === prefilled && prefill !== prefilled) {
      prefilled = input.value = prefill;
      search(PREFILL);
    }
    const key = suggestions.map((s) => s.url).join(" ");
    if (suggested.dataset.key !== key) {
      suggested.dataset.key = key;
      suggested.replaceChildren(...suggestions.map(item));
    }
    document.getElementById("kb-suggested-section").hidden = suggestions.length === 0;
  };
}
