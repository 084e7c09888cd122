// The inbox column: tabs (Queue, Mine, All open, Resolved), their counts, the search box and
// label filter, and the conversation list.

import { duration, el } from "./dom.js";
import { api } from "./http.js";
import { labelChips, loadLabelList } from "./labels.js";
import { byUrgency, slaBadge } from "./sla.js";

const OPEN = new Set(["bot", "queued", "assigned"]);

// Who may read a resolved conversation is the server's rule (routing.service.may_read).
export const TABS = {
  queue: (c) => c.status === "queued",
  mine: (c, me) => c.status === "assigned" && c.assignee === me.id,
  all: (c) => OPEN.has(c.status),
  resolved: (c, me) => c.status === "resolved" && (me.role === "admin" || !c.assignee || c.assignee === me.id),
};

const since = (c) => c.queued_at || c.created_at || "";
const ORDER = {
  resolved: (a, b) => (b.resolved_at || "").localeCompare(a.resolved_at || ""), // latest first
  open: (a, b) => since(a).localeCompare(since(b)), // oldest first: whoever waited longest is on top
};

// Unread visitor messages in what is this agent's to answer: the queue and their own (admins:
// every open conversation). Other agents' conversations are not news to them.
export function unreadTotal(state) {
  const mine = (c) => TABS.queue(c) || TABS.mine(c, state.me) || (state.me.role === "admin" && TABS.all(c));
  return [...state.conversations.values()].filter(mine).reduce((sum, c) => sum + (c.unread || 0), 0);
}

export function visible(state, tab) {
  if (searching(state)) return state.search.ids.map((id) => state.conversations.get(id)).filter(Boolean);
  const test = TABS[tab];
  const order = ORDER[tab] || byUrgency(state, ORDER.open); // open tabs: the most overdue first
  return [...state.conversations.values()].filter((c) => test(c, state.me)).sort(order);
}

function searching(state) {
  return state.search.ids !== null;
}

// Summaries from the API join the socket's: the same objects, kept fresh by `conversation` frames.
export function mergeSummaries(state, summaries) {
  for (const summary of summaries) {
    state.conversations.set(summary.id, { ...state.conversations.get(summary.id), ...summary });
  }
}

const STATUS = { bot: "Bot", queued: "Queued", assigned: "Assigned", resolved: "Resolved" };

/** The last message as one line: its text, or what it carried when it had none. */
export function previewText(message) {
  if (message.text) return message.text;
  const images = message.images || 0;
  return images > 1 ? `${images} images` : images ? "Image" : "";
}

function row(state, conversation) {
  const visitor = conversation.visitor || {};
  const last = conversation.last_message;
  const waitingSince = conversation.status === "queued" ? conversation.queued_at : null;
  const unread = OPEN.has(conversation.status) ? conversation.unread || 0 : 0;
  const showStatus = searching(state) || conversation.status === "resolved";
  const button = el(
    "button",
    { type: "button", class: "row", "data-id": conversation.id },
    el("span", { class: "row-name", text: visitor.name || visitor.email || "Visitor" }),
    waitingSince ? el("span", { class: "row-wait", "data-since": waitingSince, text: duration(waitingSince) }) : null,
    OPEN.has(conversation.status) ? slaBadge(state.sla?.get(conversation.id)) : null,
    showStatus ? el("span", { class: "row-status", text: STATUS[conversation.status] || conversation.status }) : null,
    unread ? el("span", { class: "unread", text: String(unread), "aria-label": `${unread} unread` }) : null,
    el("span", { class: "row-preview", text: last ? previewText(last) : "No messages yet" }),
    conversation.labels?.length ? el("span", { class: "row-labels" }, ...labelChips(conversation.labels)) : null,
  );
  if (conversation.id === state.activeId) button.setAttribute("aria-current", "true");
  return el("li", {}, button);
}

export function renderInbox(state) {
  for (const [tab] of Object.entries(TABS)) {
    const badge = document.querySelector(`[data-count="${tab}"]`);
    if (badge) badge.textContent = String([...state.conversations.values()].filter((c) => TABS[tab](c, state.me)).length);
  }
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.setAttribute("aria-selected", String(!searching(state) && button.dataset.tab === state.tab));
  }
  const items = visible(state, state.tab);
  document.getElementById("conversation-list").replaceChildren(...items.map((c) => row(state, c)));
  document.getElementById("inbox-empty").hidden = items.length > 0 || searching(state);
  const status = document.getElementById("search-status");
  status.hidden = !searching(state) && !state.search.error;
  status.textContent = state.search.error || searchSummary(state.search);
}

function searchSummary(search) {
  if (search.ids === null) return "";
  if (!search.ids.length) return "No conversations match.";
  return `${search.ids.length}${search.more ? "+" : ""} conversation${search.ids.length === 1 ? "" : "s"} found`;
}

// Live wait times: refreshed in place every second, without rebuilding the list.
export function tickWaits() {
  for (const span of document.querySelectorAll("[data-since]")) {
    span.textContent = duration(span.dataset.since);
  }
}

// The search box and label filter (server-side search), and the Resolved tab's history.
export function installInbox(state, render) {
  state.search = { ids: null, more: false, error: null };
  const text = document.getElementById("search-text");
  const label = document.getElementById("search-label");
  let timer = null;
  let asked = 0;

  async function search() {
    const q = text.value.trim();
    const mine = ++asked; // answers to older keystrokes are dropped
    if (!q && !label.value) {
      state.search = { ids: null, more: false, error: null };
      render();
      return;
    }
    const params = new URLSearchParams({ q, limit: "50" });
    if (label.value) params.set("label", label.value);
    try {
      const found = await api("GET", `/api/v1/console/conversations?${params}`);
      if (mine !== asked) return;
      mergeSummaries(state, found.conversations);
      state.search = { ids: found.conversations.map((c) => c.id), more: found.next_offset !== null, error: null };
    } catch (error) {
      if (mine === asked) state.search = { ids: [], more: false, error: error.message };
    }
    render();
  }

  // The team's labels (fresh counts and colours) each time the filter is about to be used.
  async function loadLabels() {
    const labels = await loadLabelList();
    const chosen = label.value;
    label.replaceChildren(
      el("option", { value: "", text: "Any label" }),
      ...labels.map((l) => el("option", { value: l.name, text: `${l.name} (${l.count})` })),
    );
    label.value = labels.some((l) => l.name === chosen) ? chosen : "";
  }

  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      text.value = "";
      search();
    }
  });
  label.addEventListener("focus", () => loadLabels().catch(() => {})); // the list stays as it was
  label.addEventListener("change", search);
  document.getElementById("inbox-search").addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  // Choosing a tab leaves the search; Resolved asks the server for the latest history.
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.addEventListener("click", () => {
      text.value = "";
      label.value = "";
      search(); // empty: back to the tab (and any answer still on its way is dropped)
      if (tab.dataset.tab === "resolved") loadResolved(state, render);
    });
  }
  return { search, filterByLabel: async (name) => { await loadLabels(); label.value = name; search(); } };
}

export async function loadResolved(state, render) {
  try {
    const found = await api("GET", "/api/v1/console/conversations?status=resolved&limit=50");
    mergeSummaries(state, found.conversations);
  } catch (error) {
    state.search = { ids: null, more: false, error: `Resolved conversations: ${error.message}` };
  }
  render();
}
