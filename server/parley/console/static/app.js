// The console's entry point: state, the socket's frames, and the user's actions.

import { installAccount } from "./account.js";
import { installAttachments } from "./attachments.js";
import { installEarlier, renderContext } from "./context.js";
import { defaultTab, installInbox, loadResolved, mergeSummaries, noticeArrival, renderInbox, tickWaits, unreadTotal, visible } from "./inbox.js";
import { installIssueLink } from "./issue_link.js";
import { installKb } from "./kb.js";
import { installLayout, renderLayout } from "./layout.js";
import { installLibrary } from "./library.js";
import { installShortcuts } from "./keys.js";
import { visitorName } from "./people.js";
import { installNotifications } from "./notify.js";
import { installManager, installPicker, takeReplyUse } from "./replies.js";
import { installReviews } from "./reviews.js";
import { installSla } from "./sla.js";
import { AgentSocket } from "./socket.js";
import { installLabels, loadLabelList, setLabelList } from "./labels.js";
import { messageKey, renderThread, renderTransferTargets, sortedMessages } from "./thread.js";

const root = document.getElementById("console");
const state = {
  me: { id: root.dataset.agentId, name: root.dataset.agentName, role: root.dataset.agentRole },
  conversations: new Map(),
  messages: new Map(), // conversation id -> Map(messageKey -> message frame)
  visitorRead: new Map(),
  visitorTyping: new Set(),
  activeId: null,
  tab: "queue",
  showList: false, // one-pane screens: the list is shown over the open conversation
  tabChosen: false, // until the agent picks a tab, the console opens the one that needs them
  news: null, // {tab, id, name}: something new arrived in a tab not on screen
  scrollDown: false,
};

function render() {
  renderLayout(state);
  renderInbox(state);
  renderThread(state);
  renderContext(state.conversations.get(state.activeId));
  showKb(state.activeId, kbContext(state.activeId));
  notifier.setUnread(unreadTotal(state));
}

function kbContext(id) {
  const messages = id ? sortedMessages(state, id) : [];
  const fromVisitor = messages.filter((m) => m.author.kind === "visitor");
  const fromBot = messages.filter((m) => m.author.kind === "bot" && m.suggestions?.length);
  return { lastVisitorText: fromVisitor.at(-1)?.text, suggestions: fromBot.at(-1)?.suggestions || [] };
}

function lastVisibleSeq(id) {
  return Math.max(0, ...sortedMessages(state, id).map((m) => m.seq));
}

const socket = new AgentSocket({
  onFrame: handle,
  onState: (text) => { document.getElementById("connection").textContent = text; },
  // On reconnect, resume every conversation we have messages of.
  lastSeqs: () => Object.fromEntries([...state.messages.keys()].map((id) => [id, lastVisibleSeq(id)])),
});

function markRead(id) {
  const seq = lastVisibleSeq(id);
  const conversation = state.conversations.get(id);
  if (conversation) conversation.unread = 0;
  if (seq > 0 && document.visibilityState === "visible") socket.send({ type: "read", conversation_id: id, seq });
}

function storeMessage(frame) {
  if (!state.messages.has(frame.conversation_id)) state.messages.set(frame.conversation_id, new Map());
  const known = state.messages.get(frame.conversation_id);
  const isNew = !known.has(messageKey(frame));
  known.set(messageKey(frame), frame); // dedupe by seq (or note_seq): replays are harmless
  const conversation = state.conversations.get(frame.conversation_id);
  if (!conversation || !isNew) return;
  // As the server's SUMMARY: notes are not the conversation's last message.
  const last = { text: frame.text, images: frame.attachments?.length || 0, author_kind: frame.author.kind, created_at: frame.created_at };
  if (!frame.internal) conversation.last_message = last;
  if (frame.author.kind === "visitor") conversation.last_visitor_message = last;
  if (frame.author.kind === "visitor") visitorTyping(frame.conversation_id, false);
  if (frame.conversation_id === state.activeId) markRead(frame.conversation_id);
  else if (frame.author.kind === "visitor") conversation.unread = (conversation.unread || 0) + 1;
  if (frame.author.kind === "visitor" && (frame.conversation_id !== state.activeId || document.hidden)) {
    const name = visitorName(conversation.visitor);
    notifier.alert({ title: `${name} wrote`, body: frame.text, conversationId: conversation.id, createdAt: frame.created_at });
  }
}

// A visitor who closes the tab mid-sentence never sends state:false, so typing expires.
const typingExpiry = new Map();
function visitorTyping(id, typing) {
  clearTimeout(typingExpiry.get(id));
  if (!typing) {
    state.visitorTyping.delete(id);
    return;
  }
  state.visitorTyping.add(id);
  typingExpiry.set(id, setTimeout(() => { state.visitorTyping.delete(id); render(); }, 8000));
}

function handle(frame) {
  switch (frame.type) {
    case "welcome": {
      // After a reconnect the server's list is the truth; only the open conversation stays.
      const active = state.conversations.get(state.activeId);
      state.conversations = new Map(frame.conversations.map((summary) => [summary.id, summary]));
      if (active && !state.conversations.has(active.id)) state.conversations.set(active.id, active);
      if (active) socket.send({ type: "watch", conversation_id: active.id, last_seq: lastVisibleSeq(active.id) });
      if (!state.tabChosen) state.tab = defaultTab(state);
      if (state.tab === "resolved") loadResolved(state, render);
      refreshLabelList(); // `labels` frames missed while disconnected
      welcomed = true;
      openFromHash();
      break;
    }
    case "labels":
      setLabelList(frame.labels);
      break;
    case "conversation": {
      const before = state.conversations.get(frame.conversation.id);
      mergeSummaries(state, [frame.conversation]);
      noticeArrival(state, before, state.conversations.get(frame.conversation.id)); // `before` is the old object
      refreshSla();
      // News is a conversation newly waiting, not one this agent just handed on.
      if (frame.conversation.status === "queued" && before?.status !== "queued" && before?.assignee !== state.me.id) {
        notifier.alert({ title: "New conversation in the queue", body: `${visitorName(frame.conversation.visitor)} is waiting`, conversationId: frame.conversation.id });
      }
      break;
    }
    case "message":
      storeMessage(frame);
      refreshSla();
      break;
    case "typing":
      if (frame.by === "visitor") visitorTyping(frame.conversation_id, frame.state);
      break;
    case "read":
      if (frame.by === "visitor") state.visitorRead.set(frame.conversation_id, frame.seq);
      break;
    case "error":
      document.getElementById("connection").textContent = `Error: ${frame.message}`;
      break;
    default:
      return;
  }
  render();
}

// A click lands in the reply box; j/k keep the keyboard on the page so they can repeat.
function openConversation(id, { focus = true } = {}) {
  if (!state.conversations.has(id)) return;
  setTyping(false); // stop "typing…" in the conversation being left
  state.activeId = id;
  state.showList = false;
  state.scrollDown = true;
  socket.send({ type: "watch", conversation_id: id, last_seq: 0 });
  markRead(id);
  render();
  if (focus) document.getElementById("composer-text").focus();
}

// A link to one conversation (/console#conversation=<id>, as the CSAT report gives) opens it,
// resolved or not, once the socket is welcomed; the hash is then cleared so the next link works.
let welcomed = false;
async function openFromHash() {
  const id = new URLSearchParams(location.hash.slice(1)).get("conversation");
  if (!id) return;
  history.replaceState(null, "", location.pathname + location.search);
  if (!state.conversations.has(id)) {
    const response = await fetch(`/api/v1/console/conversations/${encodeURIComponent(id)}`, { credentials: "same-origin" });
    if (!response.ok) {
      report(response.status === 404 ? "that conversation no longer exists" : "that conversation is not yours to read");
      return;
    }
    mergeSummaries(state, [(await response.json()).conversation]);
  }
  openConversation(id, { focus: false });
}

function step(delta) {
  const items = visible(state, state.tab);
  if (!items.length) return;
  const index = items.findIndex((c) => c.id === state.activeId);
  const next = index < 0 ? 0 : Math.min(items.length - 1, Math.max(0, index + delta));
  openConversation(items[next].id, { focus: false });
}

function resolveActive() {
  const conversation = state.conversations.get(state.activeId);
  if (conversation && conversation.status !== "resolved") socket.send({ type: "resolve", conversation_id: conversation.id });
}

// --- composer -----------------------------------------------------------------------------

const text = document.getElementById("composer-text");
const showKb = installKb({ insert: insertIntoComposer });

// An article link goes in at the caret, on its own line, ready to be sent or edited.
function insertIntoComposer(snippet) {
  const caret = text.selectionStart;
  const before = text.value.slice(0, caret);
  const joined = before && !before.endsWith("\n") ? `${before}\n${snippet}` : before + snippet;
  text.value = joined + text.value.slice(text.selectionEnd);
  text.focus();
  text.selectionStart = text.selectionEnd = joined.length;
  text.dispatchEvent(new Event("input"));
}
const noteToggle = document.getElementById("note-toggle");
let typingSent = false;
let typingTimer = null;

function setTyping(typing) {
  if (!state.activeId || typing === typingSent || noteToggle.checked) return;
  typingSent = typing;
  socket.send({ type: "typing", conversation_id: state.activeId, state: typing });
}

// Images (composer uploads, annotated copies, library GIFs) travel as attachment ids.
function sendMessage({ conversationId, text: body, attachmentIds = [], internal = false }) {
  socket.send({
    type: "message",
    conversation_id: conversationId,
    client_id: crypto.randomUUID(),
    text: body,
    attachments: attachmentIds,
    internal,
    ...(internal ? {} : takeReplyUse(conversationId, body)), // the saved reply (and A/B variant) used
  });
  state.scrollDown = true;
}

const media = {
  composer: document.getElementById("composer"),
  textarea: text,
  conversationId: () => state.activeId,
  sendMessage,
  me: state.me,
  notify: (message) => report(message),
};
const composerImages = installAttachments(media);
installPicker(text, () => state.activeId, { addImages: composerImages.addStored, notify: media.notify });
installLibrary(media);

function send() {
  const body = text.value.trim();
  if (!state.activeId) return;
  const attachmentIds = composerImages.take();
  if (!body && !attachmentIds.length) return;
  sendMessage({ conversationId: state.activeId, text: body, attachmentIds, internal: noteToggle.checked });
  setTyping(false);
  text.value = "";
}

text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.defaultPrevented) {
    event.preventDefault();
    send();
  }
});
text.addEventListener("input", () => {
  setTyping(text.value.length > 0);
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => setTyping(false), 4000);
});
noteToggle.addEventListener("change", () => {
  document.getElementById("composer").classList.toggle("note-mode", noteToggle.checked);
});
document.getElementById("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});

// --- buttons ------------------------------------------------------------------------------

document.getElementById("conversation-list").addEventListener("click", (event) => {
  const row = event.target.closest("[data-id]");
  if (row) openConversation(row.dataset.id);
});
for (const tab of document.querySelectorAll("[data-tab]")) {
  tab.addEventListener("click", () => {
    state.tab = tab.dataset.tab;
    state.tabChosen = true;
    if (state.news?.tab === state.tab) state.news = null;
    render();
  });
}
document.getElementById("presence").addEventListener("change", (event) => {
  document.getElementById("presence-dot").dataset.status = event.target.value;
  socket.send({ type: "presence", status: event.target.value });
});
document.getElementById("accept").addEventListener("click", () => socket.send({ type: "accept", conversation_id: state.activeId }));
document.getElementById("resolve").addEventListener("click", resolveActive);
document.getElementById("transfer").addEventListener("click", () => {
  const [kind, value] = document.getElementById("transfer-target").value.split(/:(.*)/s);
  if (!value || !state.activeId) return;
  const reason = document.getElementById("transfer-reason");
  socket.send({ type: "transfer", conversation_id: state.activeId, [kind === "agent" ? "agent_id" : "team"]: value, reason: reason.value.trim() || null });
  reason.value = "";
});
document.getElementById("reopen").addEventListener("click", () => socket.send({ type: "reopen", conversation_id: state.activeId }));
document.addEventListener("visibilitychange", () => { if (state.activeId) markRead(state.activeId); });
window.addEventListener("hashchange", () => { if (welcomed) openFromHash(); });

function refreshLabelList() {
  loadLabelList().then(render, () => {}); // without it chips stay grey until the next frame
}

async function loadDirectory() {
  const response = await fetch("/api/v1/console/agents", { credentials: "same-origin" });
  if (response.ok) renderTransferTargets(await response.json(), state.me);
}

const report = (message) => { document.getElementById("connection").textContent = `Error: ${message}`; };
const notifier = installNotifications(document.getElementById("notify-toggle"), { open: openConversation });
const { filterByLabel } = installInbox(state, render);
const refreshSla = installSla(state, render); // response-target clocks on the inbox rows
installLabels(state, { render, filterByLabel, report });
installManager(document.getElementById("replies-button"), { isAdmin: state.me.role === "admin", conversationId: () => state.activeId });
installReviews(document.getElementById("reviews-button"), { isAdmin: state.me.role === "admin" });
// An earlier conversation opens read-only: the summary joins the state, `watch` brings history.
installEarlier((summary) => {
  mergeSummaries(state, [summary]);
  openConversation(summary.id, { focus: false });
});
installShortcuts({ step, resolveActive });
installLayout(state, render);
installAccount(socket);
installIssueLink(document.getElementById("issue-link"), () => state.activeId);
setInterval(tickWaits, 1000);
loadDirectory();
socket.connect();
render();
