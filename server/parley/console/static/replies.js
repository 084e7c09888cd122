// Saved replies: the composer's picker ("/" plus a shortcut; arrows + Enter insert, with
// placeholders filled) and the dialog where the team creates, edits and deletes them. A reply
// under A/B test inserts the wording this conversation drew; the message sent records it.

import { el } from "./dom.js";
import { api } from "./http.js";
import { installReplyTests } from "./reply_tests.js";

const TOKEN = /(?:^|\s)\/([\w-]*)$/; // a "/word" right before the caret
const PLACEHOLDER = /\{\{\s*(visitor|agent)\.(\w+)\s*\}\}/g;

const firstName = (name) => (name || "").trim().split(/\s+/)[0] || null;

// What each placeholder becomes, and what stands in when the value is unknown.
const FIELDS = {
  visitor: {
    name: [(v) => v.name, "there"],
    first_name: [(v) => firstName(v.name), "there"],
    email: [(v) => v.email, "your email address"],
  },
  agent: {
    name: [(a) => a.name, "your support team"],
    first_name: [(a) => firstName(a.name), "your support team"],
  },
};

export const PLACEHOLDERS = Object.entries(FIELDS).flatMap(([who, fields]) => Object.keys(fields).map((f) => `{{${who}.${f}}}`));

// Unknown placeholders stay as typed, so the agent sees them before sending.
export function fillPlaceholders(body, { visitor, agent }) {
  const people = { visitor: visitor || {}, agent: agent || {} };
  return body.replace(PLACEHOLDER, (whole, who, key) => {
    if (!Object.hasOwn(FIELDS[who], key)) return whole;
    const [read, fallback] = FIELDS[who][key];
    return read(people[who])?.trim() || fallback;
  });
}

// The saved reply (and variant) last inserted, until the message carrying it is sent.
let inserted = null;

// What the message records: the reply used, if its inserted text is still there unchanged.
export function takeReplyUse(conversationId, text) {
  const use = inserted;
  inserted = null;
  if (!use || use.conversationId !== conversationId || !text.includes(use.text)) return {};
  return use.variant === null ? { saved_reply_id: use.replyId } : { saved_reply_id: use.replyId, variant: use.variant };
}

async function drawText(reply, conversationId) {
  if (!conversationId) return { body: reply.body, variant: null };
  try {
    return await api("POST", `/api/v1/quality/saved-replies/${encodeURIComponent(reply.id)}/draw`, { conversation_id: conversationId });
  } catch {
    return { body: reply.body, variant: null }; // the reply was deleted meanwhile: its text still helps
  }
}

export function installPicker(textarea, people, conversationId = () => null) {
  const picker = el("ul", { id: "reply-picker", class: "picker", role: "listbox", "aria-label": "Saved replies" });
  picker.hidden = true;
  textarea.before(picker);
  textarea.setAttribute("aria-controls", "reply-picker");
  let replies = [];
  let matches = [];
  let active = 0;

  async function load() {
    replies = (await api("GET", "/api/v1/console/saved-replies")).saved_replies;
  }

  function close() {
    picker.hidden = true;
    matches = [];
    textarea.removeAttribute("aria-activedescendant");
  }

  function show() {
    picker.replaceChildren(
      ...matches.map((reply, index) =>
        el(
          "li",
          { id: `reply-${index}`, role: "option", class: "picker-item", "aria-selected": String(index === active), "data-index": String(index) },
          el("span", { class: "picker-shortcut", text: `/${reply.shortcut}` }),
          el("span", { class: "picker-title", text: reply.title }),
        ),
      ),
    );
    picker.hidden = matches.length === 0;
    textarea.setAttribute("aria-activedescendant", `reply-${active}`);
  }

  function update() {
    const found = TOKEN.exec(textarea.value.slice(0, textarea.selectionStart));
    if (!found) return close();
    const typed = found[1].toLowerCase();
    matches = replies.filter((reply) => reply.shortcut.startsWith(typed)).slice(0, 8);
    active = Math.min(active, Math.max(0, matches.length - 1));
    show();
  }

  async function insert(reply) {
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret).replace(/\/[\w-]*$/, "");
    close();
    const conversation = conversationId();
    const drawn = await drawText(reply, conversation);
    const text = fillPlaceholders(drawn.body, people());
    inserted = { conversationId: conversation, replyId: reply.id, variant: drawn.variant, text };
    textarea.value = before + text + textarea.value.slice(caret);
    textarea.selectionStart = textarea.selectionEnd = before.length + text.length;
    textarea.dispatchEvent(new Event("input"));
  }

  textarea.addEventListener("input", () => {
    const opening = picker.hidden && TOKEN.test(textarea.value.slice(0, textarea.selectionStart));
    if (opening) load().then(update); // fresh each time, so new replies show up
    else update();
  });
  // Capture: the picker sees Enter before the composer would send the message.
  textarea.addEventListener("keydown", (event) => {
    if (picker.hidden) return;
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      active = (active + moves[event.key] + matches.length) % matches.length;
      show();
    } else if (event.key === "Enter" || event.key === "Tab") {
      insert(matches[active]);
    } else if (event.key === "Escape") {
      close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, { capture: true });
  picker.addEventListener("mousedown", (event) => {
    const item = event.target.closest("[data-index]");
    if (!item) return;
    event.preventDefault(); // keep the focus in the textarea
    insert(matches[Number(item.dataset.index)]);
  });
  textarea.addEventListener("blur", close);
}

// --- the team's saved replies -------------------------------------------------------------

function field(label, input) {
  return el("label", { class: "field" }, el("span", { text: label }), input);
}

export function installManager(button, { isAdmin = false } = {}) {
  const shortcut = el("input", { name: "shortcut", required: true, maxLength: 61, placeholder: "refund", autocomplete: "off" });
  const title = el("input", { name: "title", required: true, maxLength: 200, placeholder: "Refund issued" });
  const body = el("textarea", { name: "body", required: true, maxLength: 5000, rows: 5 });
  const error = el("p", { class: "form-error", role: "alert" });
  const save = el("button", { type: "submit", class: "primary", text: "Add reply" });
  const cancel = el("button", { type: "button", text: "Cancel edit", hidden: true });
  const form = el(
    "form",
    { class: "reply-form" },
    field("Shortcut", shortcut),
    field("Title", title),
    field("Text", body),
    el("p", { class: "hint", text: `Typed as /shortcut in the composer. Placeholders: ${PLACEHOLDERS.join(" ")}` }),
    error,
    el("div", { class: "form-actions" }, cancel, save),
  );
  const list = el("ul", { class: "reply-list", "aria-label": "The team's saved replies" });
  const close = el("button", { type: "button", text: "Close" });
  const dialog = el(
    "div",
    { id: "replies-dialog", class: "overlay", role: "dialog", "aria-modal": "true", "aria-labelledby": "replies-title", hidden: true },
    el("div", { class: "card wide" }, el("h2", { id: "replies-title", text: "Saved replies" }), list, form, el("div", { class: "form-actions" }, close)),
  );
  document.body.append(dialog);
  // After this dialog, so the test's dialog opens above it; a kept winner changes the list.
  const openTests = installReplyTests({ isAdmin, onChange: () => refresh() });
  let replies = [];
  let editing = null;

  function edit(reply) {
    editing = reply;
    shortcut.value = reply ? reply.shortcut : "";
    title.value = reply ? reply.title : "";
    body.value = reply ? reply.body : "";
    save.textContent = reply ? "Save changes" : "Add reply";
    cancel.hidden = !reply;
    error.textContent = "";
  }

  function renderList() {
    list.replaceChildren(
      ...replies.map((reply) =>
        el(
          "li",
          { class: "reply-item" },
          el("span", { class: "picker-shortcut", text: `/${reply.shortcut}` }),
          el("span", { class: "reply-title", text: reply.title }),
          el("button", { type: "button", "data-edit": reply.id, text: "Edit", "aria-label": `Edit /${reply.shortcut}` }),
          el("button", { type: "button", "data-delete": reply.id, text: "Delete", "aria-label": `Delete /${reply.shortcut}` }),
          el("button", { type: "button", "data-test": reply.id, text: "A/B test", "aria-label": `A/B test of /${reply.shortcut}` }),
          el("span", { class: "reply-body", text: reply.body }),
        ),
      ),
    );
    if (!replies.length) list.append(el("li", { class: "empty", text: "No saved replies yet." }));
  }

  async function refresh() {
    replies = (await api("GET", "/api/v1/console/saved-replies")).saved_replies;
    renderList();
  }

  function show(open) {
    dialog.hidden = !open;
    if (open) {
      edit(null);
      refresh();
      shortcut.focus();
    } else {
      button.focus();
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = { shortcut: shortcut.value, title: title.value, body: body.value };
    try {
      if (editing) await api("PUT", `/api/v1/console/saved-replies/${encodeURIComponent(editing.id)}`, fields);
      else await api("POST", "/api/v1/console/saved-replies", fields);
      edit(null);
      await refresh();
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  list.addEventListener("click", async (event) => {
    const target = event.target.closest("button");
    const reply = target && replies.find((r) => r.id === (target.dataset.edit || target.dataset.delete || target.dataset.test));
    if (!reply) return;
    if (target.dataset.test) {
      openTests(reply);
    } else if (target.dataset.edit) {
      edit(reply);
      shortcut.focus();
    } else if (confirm(`Delete /${reply.shortcut} for the whole team?`)) {
      await api("DELETE", `/api/v1/console/saved-replies/${encodeURIComponent(reply.id)}`);
      if (editing?.id === reply.id) edit(null);
      await refresh();
    }
  });
  cancel.addEventListener("click", () => edit(null));
  close.addEventListener("click", () => show(false));
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      show(false);
    }
  });
  button.addEventListener("click", () => show(true));
}
