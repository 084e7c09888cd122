// The inbox column: tabs (Queue, Mine, All open), their counts, and the conversation list.

import { duration, el } from "./dom.js";

const OPEN = new Set(["bot", "queued", "assigned"]);

export const TABS = {
  queue: (c) => c.status === "queued",
  mine: (c, me) => c.status === "assigned" && c.assignee === me,
  all: (c) => OPEN.has(c.status),
};

function order(a, b) {
  const since = (c) => c.queued_at || c.created_at || "";
  return since(a).localeCompare(since(b)); // oldest first: whoever waited longest is on top
}

export function visible(state, tab) {
  const test = TABS[tab];
  return [...state.conversations.values()].filter((c) => test(c, state.me.id)).sort(order);
}

function row(state, conversation) {
  const visitor = conversation.visitor || {};
  const last = conversation.last_message;
  const since = conversation.status === "queued" ? conversation.queued_at : null;
  const unread = conversation.unread || 0;
  const button = el(
    "button",
    { type: "button", class: "row", "data-id": conversation.id },
    el("span", { class: "row-name", text: visitor.name || visitor.email || "Visitor" }),
    since ? el("span", { class: "row-wait", "data-since": since, text: duration(since) }) : null,
    unread ? el("span", { class: "unread", text: String(unread), "aria-label": `${unread} unread` }) : null,
    el("span", { class: "row-preview", text: last ? last.text : "No messages yet" }),
  );
  if (conversation.id === state.activeId) button.setAttribute("aria-current", "true");
  return el("li", {}, button);
}

export function renderInbox(state) {
  for (const [tab] of Object.entries(TABS)) {
    const badge = document.querySelector(`[data-count="${tab}"]`);
    if (badge) badge.textContent = String(visible(state, tab).length);
  }
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === state.tab));
  }
  const items = visible(state, state.tab);
  document.getElementById("conversation-list").replaceChildren(...items.map((c) => row(state, c)));
  document.getElementById("inbox-empty").hidden = items.length > 0;
}

// Live wait times: refreshed in place every second, without rebuilding the list.
export function tickWaits() {
  for (const span of document.querySelectorAll("[data-since]")) {
    span.textContent = duration(span.dataset.since);
  }
}
