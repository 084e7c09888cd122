// Saved replies in the composer: "/" plus a shortcut opens the picker; the highlighted reply is
// previewed as this conversation's visitor will get it (placeholders filled on the server, the
// A/B variant this conversation drew, its images); Enter or a click inserts the text and puts
// copies of its images with the next message. The message sent records the reply (and variant).

import { el } from "./dom.js";
import { api } from "./http.js";

export { installManager } from "./reply_manager.js";

const TOKEN = /(?:^|\s)\/([\w-]*)$/; // a "/word" right before the caret
const URL = "/api/v1/console/saved-replies";

// The saved reply (and variant) last inserted, until the message carrying it is sent.
let inserted = null;

// What the message records: the reply used, if its inserted text is still there unchanged.
export function takeReplyUse(conversationId, text) {
  const use = inserted;
  inserted = null;
  if (!use || use.conversationId !== conversationId || !text.includes(use.text)) return {};
  return use.variant === null ? { saved_reply_id: use.replyId } : { saved_reply_id: use.replyId, variant: use.variant };
}

function filled(reply, conversationId, how) {
  return api("POST", `${URL}/${encodeURIComponent(reply.id)}/${how}`, { conversation_id: conversationId });
}

export function installPicker(textarea, conversationId, { addImages, notify }) {
  const picker = el("ul", { id: "reply-picker", class: "picker", role: "listbox", "aria-label": "Saved replies" });
  const previewText = el("p", { class: "reply-preview-text" });
  const previewImages = el("div", { class: "reply-preview-images" });
  const preview = el(
    "section",
    { id: "reply-preview", class: "reply-preview", "aria-label": "Preview", "aria-live": "polite" },
    el("h3", { text: "Preview for this visitor" }),
    previewText,
    previewImages,
  );
  picker.hidden = preview.hidden = true;
  textarea.before(preview, picker);
  textarea.setAttribute("aria-controls", "reply-picker");
  let replies = [];
  let matches = [];
  let active = 0;
  let previewing = null; // the reply id shown, so a late answer for another is dropped

  async function load() {
    replies = (await api("GET", URL)).saved_replies;
  }

  function close() {
    picker.hidden = preview.hidden = true;
    matches = [];
    previewing = null;
    textarea.removeAttribute("aria-activedescendant");
  }

  async function showPreview(reply) {
    const conversation = conversationId();
    if (!reply || !conversation || previewing === reply.id) return;
    previewing = reply.id;
    previewText.textContent = "…";
    previewImages.replaceChildren();
    preview.hidden = false;
    try {
      const shown = await filled(reply, conversation, "preview");
      if (previewing !== reply.id) return;
      previewText.textContent = shown.text;
      previewImages.replaceChildren(...shown.attachments.map((a) => el("img", { src: a.thumb_url, alt: "Attached image" })));
    } catch (failure) {
      if (previewing === reply.id) previewText.textContent = failure.message;
    }
  }

  function show() {
    picker.replaceChildren(
      ...matches.map((reply, index) =>
        el(
          "li",
          { id: `reply-${index}`, role: "option", class: "picker-item", "aria-selected": String(index === active), "data-index": String(index) },
          el("span", { class: "picker-shortcut", text: `/${reply.shortcut}` }),
          el("span", { class: "picker-title", text: reply.title }),
          reply.attachments.length ? el("span", { class: "picker-images", text: `${reply.attachments.length} image(s)` }) : null,
        ),
      ),
    );
    picker.hidden = matches.length === 0;
    if (picker.hidden) preview.hidden = true;
    else showPreview(matches[active]);
    textarea.setAttribute("aria-activedescendant", `reply-${active}`);
  }

  function update() {
    const found = TOKEN.exec(textarea.value.slice(0, textarea.selectionStart));
    if (!found) return close();
    const typed = found[1].toLowerCase();
    matches = replies.filter((reply) => reply.shortcut.startsWith(typed) || reply.tags.some((tag) => tag.startsWith(typed))).slice(0, 8);
    active = Math.min(active, Math.max(0, matches.length - 1));
    show();
  }

  async function insert(reply) {
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret).replace(/\/[\w-]*$/, "");
    close();
    const conversation = conversationId();
    if (!conversation) return;
    let shown;
    try {
      shown = await filled(reply, conversation, "insert");
    } catch (failure) {
      notify(failure.message);
      return;
    }
    inserted = { conversationId: conversation, replyId: reply.id, variant: shown.variant, text: shown.text };
    addImages(shown.attachments, conversation);
    textarea.value = before + shown.text + textarea.value.slice(caret);
    textarea.selectionStart = textarea.selectionEnd = before.length + shown.text.length;
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
