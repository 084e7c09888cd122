// The middle column: the open conversation's header and labels, its messages in seq order,
// "Seen".

import { attachmentList } from "./attachments.js";
import { clockTime, el, linkified } from "./dom.js";
import { api } from "./http.js";

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

function messageItem(message) {
  const kind = message.internal ? "note" : message.author.kind;
  const name = message.author.name || (message.author.kind === "system" ? "Parley" : message.author.kind);
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
  document.getElementById("thread-title").textContent = visitor.name || visitor.email || "Visitor";
  document.getElementById("thread-status").textContent = STATUS_LABELS[conversation.status] || conversation.status;
  document.getElementById("accept").hidden = conversation.status !== "queued";
  const resolved = conversation.status === "resolved";
  for (const id of ["resolve", "transfer", "transfer-target", "transfer-reason", "composer"]) document.getElementById(id).hidden = resolved;
  document.getElementById("reopen").hidden = !resolved;
  renderLabels(conversation);
  const messages = sortedMessages(state, conversation.id);
  const items = messages.map(messageItem);
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

// --- labels -------------------------------------------------------------------------------

function renderLabels(conversation) {
  const box = document.getElementById("labels");
  if (box.dataset.conversation === conversation.id && box.dataset.labels === JSON.stringify(conversation.labels || [])) return;
  box.dataset.conversation = conversation.id; // unchanged labels keep the input (and its text)
  box.dataset.labels = JSON.stringify(conversation.labels || []);
  const chips = (conversation.labels || []).map((label) =>
    el(
      "span",
      { class: "chip" },
      el("button", { type: "button", class: "chip-filter", "data-filter": label, text: label, title: `Conversations labelled ${label}` }),
      el("button", { type: "button", class: "chip-remove", "data-remove": label, "aria-label": `Remove label ${label}`, text: "×" }),
    ),
  );
  const form = el(
    "form",
    { class: "label-add" },
    el("label", { class: "visually-hidden", htmlFor: "label-input", text: "Add label" }),
    el("input", { id: "label-input", placeholder: "+ label", maxLength: 40, autocomplete: "off" }),
  );
  box.replaceChildren(...chips, form);
}

// Adding and removing labels; every console hears of it through the `conversation` frame.
export function installLabels(state, { render, filterByLabel, report }) {
  const box = document.getElementById("labels");
  const url = () => `/api/v1/console/conversations/${encodeURIComponent(state.activeId)}/labels`;
  async function change(method, path, body) {
    const id = state.activeId;
    try {
      const { labels } = await api(method, path, body);
      const conversation = state.conversations.get(id);
      if (conversation) conversation.labels = labels;
      render();
    } catch (error) {
      report(error.message);
    }
  }
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = event.target.querySelector("input");
    const label = input.value.trim();
    if (!label) return;
    input.value = "";
    change("POST", url(), { label }).then(() => document.getElementById("label-input").focus());
  });
  box.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove]");
    if (remove) change("DELETE", `${url()}/${encodeURIComponent(remove.dataset.remove)}`);
    const filter = event.target.closest("[data-filter]");
    if (filter) filterByLabel(filter.dataset.filter);
  });
}
