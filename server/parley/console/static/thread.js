// The middle column: the open conversation's header and labels, its messages in seq order,
// "Seen".

import { attachmentList } from "./attachments.js";
import { clockTime, el, linkified } from "./dom.js";
import { renderLabels } from "./labels.js";
import { authorName, avatar, visitorName } from "./people.js";

const STATUS_LABELS = { bot: "With the bot", queued: "Queued", assigned: "Assigned", resolved: "Resolved" };

// Notes carry the visible seq they follow, so (seq, note_seq) is the order everyone saw.
export function messageKey(message) {
  return message.internal ? `n${message.note_seq}` : `s${message.seq}`;
}

function compare(a, b) {
  return a.seq - b.seq || Number(!!a.internal) - Number(!!b.internal) || (a.note_seq || 0) - (b.note_seq || 0);
}

export function sortedMessages(state, id) {
  return [...(state.messages.get(id) || new Map()).values()].sort(compare);
}

function messageItem(message, visitor) {
  const kind = message.internal ? "note" : message.author.kind;
  const name = authorName(message, visitor);
  const who = message.internal ? `Note · ${name}` : name;
  return el(
    "li",
    { class: `message ${kind}`, "data-key": messageKey(message) },
    el("div", { class: "meta" }, el("span", { class: "author", text: who }), el("time", { text: clockTime(message.created_at) })),
    el("div", { class: "body" }, linkified(message.text || "")),
    attachmentList(message),
  );
}

export function renderThread(state) {
  const conversation = state.conversations.get(state.activeId);
  document.getElementById("thread-empty").hidden = !!conversation;
  document.getElementById("thread").hidden = !conversation;
  if (!conversation) return;
  const visitor = conversation.visitor || {};
  document.getElementById("thread-title").replaceChildren(avatar(visitor), el("span", { text: visitorName(visitor) }));
  document.getElementById("thread-status").textContent = STATUS_LABELS[conversation.status] || conversation.status;
  document.getElementById("accept").hidden = conversation.status !== "queued";
  const resolved = conversation.status === "resolved";
  for (const id of ["resolve", "transfer", "transfer-target", "transfer-reason", "composer"]) document.getElementById(id).hidden = resolved;
  document.getElementById("reopen").hidden = !resolved;
  renderLabels(conversation);
  const messages = sortedMessages(state, conversation.id);
  const items = messages.map((message) => messageItem(message, visitor));
  const lastMine = messages.filter((m) => m.author.kind === "agent" && !m.internal).at(-1);
  const readSeq = state.visitorRead.get(conversation.id) || 0;
  if (lastMine && readSeq >= lastMine.seq) items.push(el("li", { class: "seen", text: "Seen" }));
  const list = document.getElementById("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(...items);
  if (atBottom || state.scrollDown) list.scrollTop = list.scrollHeight;
  state.scrollDown = false;
  document.getElementById("typing").hidden = resolved || !state.visitorTyping.has(conversation.id);
}

export function renderTransferTargets(directory, me) {
  const select = document.getElementById("transfer-target");
  const agents = directory.agents.filter((a) => a.id !== me.id);
  select.replaceChildren(
    el("option", { value: "", text: "Transfer to…" }),
    el("optgroup", { label: "Agents" }, ...agents.map((a) => el("option", { value: `agent:${a.id}`, text: a.name }))),
    el("optgroup", { label: "Teams" }, ...directory.teams.map((t) => el("option", { value: `team:${t.name}`, text: t.name }))),
  );
}
