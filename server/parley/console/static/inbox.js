// The inbox column: tabs (Queue, Mine, All open, Resolved), their counts, the search box and
// label filter, and the conversation list.

import { duration, el } from "./dom.js";
import { api } from "./http.js";
import { labelChips, loadLabelList } from "./labels.js";
import { avatar, pageLabel, visitorName } from "./people.js";
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

// How long the visitor has been waiting for us: in the queue since it was queued; in an
// assigned conversation since their newest words, while no agent has answered them (a system
// line such as "… joined" is no answer).
function waitingSince(conversation) {
  if (conversation.status === "queued") return conversation.queued_at;
  const own = conversation.last_visitor_message;
  const answered = conversation.last_message?.author_kind === "agent";
  return conversation.status === "assigned" && own && !answered ? own.created_at : null;
}

function row(state, conversation) {
  const visitor = conversation.visitor || {};
  const own = conversation.last_visitor_message;
  const since = waitingSince(conversation);
  const unread = OPEN.has(conversation.status) ? conversation.unread || 0 : 0;
  const showStatus = searching(state) || conversation.status === "resolved";
  const page = pageLabel(visitor.page_url);
  const button = el(
    "button",
    { type: "button", class: "row", "data-id": conversation.id },
    avatar(visitor),
    el("span", { class: "row-name", text: visitorName(visitor) }),
    el(
      "span",
      { class: "row-signals" },
      since ? el("span", { class: "row-wait", "data-since": since, title: "Waiting for a reply", text: duration(since) }) : null,
      OPEN.has(conversation.status) ? slaBadge(state.sla?.get(conversation.id)) : null,
      showStatus ? el("span", { class: "row-status", text: STATUS[conversation.status] || conversation.status }) : null,
      unread ? el("span", { class: "unread", text: String(unread), "aria-label": `${unread} unread` }) : null,
    ),
    el("span", { class: own ? "row-preview" : "row-preview none", text: own ? previewText(own) : "No message from the visitor yet" }),
    page ? el("span", { class: "row-page", title: visitor.page_url, text: page }) : null,
    conversation.labels?.length ? el("span", { class: "row-labels" }, ...labelChips(conversation.labels)) : null,
  );
  if (conversation.id === state.activeId) button.setAttribute("aria-current", "true");
  return el("li", {}, button);
}

// What an empty tab says: why it is empty and what to do next.
const EMPTY = {
  queue: "Nobody is waiting. New conversations appear here; tick Notify me to hear them arrive.",
  mine: "Nothing assigned to you. Accept one from the Queue, or wait for the next one to be routed to you.",
  all: "No open conversations right now.",
  resolved: "Nothing resolved yet. Conversations you resolve are listed here for 50 at a time.",
};

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
  const empty = document.getElementById("inbox-empty");
  empty.hidden = items.length > 0 || searching(state);
  empty.textContent = EMPTY[state.tab] || "";
  renderNews(state);
  const status = document.getElementById("search-status");
  status.hidden = !searching(state) && !state.search.error;
  status.textContent = state.search.error || searchSummary(state.search);
}

// --- where new work goes -----------------------------------------------------------------

/** The tab that needs the agent now: the queue if anyone waits, else their own, else the queue. */
export function defaultTab(state) {
  const count = (tab) => [...state.conversations.values()].filter((c) => TABS[tab](c, state.me)).length;
  return count("queue") || !count("mine") ? "queue" : "mine";
}

const TAB_NAMES = { queue: "Queue", mine: "Mine" };

/** A conversation newly in Queue or Mine while the agent looks at another tab: say so. */
export function noticeArrival(state, before, after) {
  for (const tab of Object.keys(TAB_NAMES)) {
    const arrived = TABS[tab](after, state.me) && !(before && TABS[tab](before, state.me));
    if (arrived && tab !== state.tab && after.id !== state.activeId) state.news = { tab, id: after.id, name: visitorName(after.visitor) };
  }
}

function renderNews(state) {
  const box = document.getElementById("inbox-news");
  const news = state.news && state.news.tab !== state.tab ? state.news : null;
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.classList.toggle("has-news", button.dataset.tab === news?.tab);
  }
  if (!news) {
    delete box.dataset.text;
    box.replaceChildren(); // the status region stays in the page, so the next news is read out
    return;
  }
  const text = `New in ${TAB_NAMES[news.tab]}: ${news.name}`;
  if (box.dataset.text === text) return; // unchanged: the live region is not read out again
  box.dataset.text = text;
  box.replaceChildren(
    el("span", { text }),
    el("button", { type: "button", class: "link", "data-show-tab": news.tab, text: `Show ${TAB_NAMES[news.tab]}` }),
  );
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
  document.getElementById("inbox-news").addEventListener("click", (event) => {
    const show = event.target.closest("[data-show-tab]");
    if (show) document.querySelector(`[data-tab="${show.dataset.showTab}"]`).click();
  });
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
