// Images in the console: thumbnails in the thread (same-origin <img>, so the session cookie
// is what authorizes them), a viewer, a pause control for GIFs, "Annotate", and images the
// agent adds from the composer (file button, paste, drop) through the upload API.

import { openAnnotator } from "./annotate.js";
import { el } from "./dom.js";
import { ApiError, csrfToken } from "./http.js";

const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");
const paused = new Map(); // attachment id -> paused?  (kept across re-renders)
const views = new Map(); // attachment id -> its element, reused so re-renders do not flicker
let annotate = () => {};

// A multipart POST (an image upload) with the CSRF header; the parsed answer or an ApiError.
export async function postForm(url, form) {
  const response = await fetch(url, { method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() } });
  const parsed = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(parsed?.error?.message || `upload failed (${response.status})`);
  return parsed;
}

// POST /api/v1/attachments: the image becomes an attachment of the conversation.
export function uploadImage(blob, conversationId, { sourceId, name = "image.png" } = {}) {
  const form = new FormData();
  form.append("conversation_id", conversationId);
  if (sourceId) form.append("source_attachment_id", sourceId);
  form.append("file", blob, name);
  return postForm("/api/v1/attachments", form);
}

function isAnimated(attachment) {
  return attachment.content_type === "image/gif" && (attachment.frames || 1) > 1;
}

// Shown at most 240 x 180, keeping the shape, so the thread does not jump while images load.
function displaySize(attachment, box = [240, 180]) {
  const scale = Math.min(1, box[0] / attachment.width, box[1] / attachment.height);
  return { width: Math.max(1, Math.round(attachment.width * scale)), height: Math.max(1, Math.round(attachment.height * scale)) };
}

// A GIF plays its original; paused, it shows the still thumbnail (its first frame).
export function animatedImage(attachment, size) {
  const img = el("img", { alt: "Image", ...size });
  const toggle = el("button", { type: "button", class: "att-toggle" });
  const set = (value) => {
    paused.set(attachment.attachment_id, value);
    img.src = value ? attachment.thumb_url : attachment.url;
    toggle.textContent = value ? "▶ Play" : "❚❚ Pause";
    toggle.setAttribute("aria-pressed", String(value));
    toggle.setAttribute("aria-label", value ? "Play GIF" : "Pause GIF");
  };
  toggle.addEventListener("click", (event) => { event.stopPropagation(); set(!paused.get(attachment.attachment_id)); });
  set(paused.get(attachment.attachment_id) ?? reducedMotion.matches);
  return { img, toggle };
}

function attachmentView(attachment, conversationId) {
  const size = displaySize(attachment);
  const { img, toggle } = isAnimated(attachment) ? animatedImage(attachment, size) : { img: el("img", { alt: "Image", src: attachment.thumb_url, ...size }) };
  const open = el("button", { type: "button", class: "att-open", "aria-label": "Enlarge image" }, img);
  open.addEventListener("click", () => openViewer(attachment, conversationId, open));
  const edit = el("button", { type: "button", class: "att-annotate", text: "Annotate" });
  edit.addEventListener("click", () => annotate(attachment, conversationId));
  return el("figure", { class: "att", "data-attachment-id": attachment.attachment_id }, open, el("figcaption", {}, toggle, edit));
}

// The message's images, for thread.js to put under the text.
export function attachmentList(message) {
  if (!message.attachments?.length) return null;
  return el("div", { class: "att-list" }, ...message.attachments.map((attachment) => {
    if (!views.has(attachment.attachment_id)) views.set(attachment.attachment_id, attachmentView(attachment, message.conversation_id));
    return views.get(attachment.attachment_id);
  }));
}

// Full size over the console; Esc or Close returns focus to the thumbnail.
function openViewer(attachment, conversationId, opener) {
  const img = el("img", { alt: "Image", src: attachment.url });
  const close = el("button", { type: "button", text: "Close" });
  const edit = el("button", { type: "button", class: "primary", text: "Annotate" });
  const dialog = el("div", { class: "att-viewer", role: "dialog", "aria-modal": "true", "aria-label": "Image" },
    el("div", { class: "att-viewer-bar" }, edit, close), el("div", { class: "att-viewer-image" }, img));
  const done = () => { dialog.remove(); opener.focus(); };
  close.addEventListener("click", done);
  edit.addEventListener("click", () => { dialog.remove(); annotate(attachment, conversationId); });
  dialog.addEventListener("keydown", (event) => {
    event.stopPropagation(); // the console's own shortcuts wait until the viewer is closed
    if (event.key === "Escape") done();
  });
  document.body.append(dialog);
  close.focus();
}

// The composer's images: uploaded as soon as chosen, sent with the next message.
function installComposer({ composer, textarea, conversationId, notify }) {
  const pending = el("ul", { class: "att-pending", "aria-label": "Images to send" });
  const chooser = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp", multiple: true, hidden: true });
  const button = el("button", { type: "button", class: "ghost i i-image", text: "Image", title: "Attach an image (or paste / drop one)" });
  let ready = []; // { attachment_id, conversation, item }

  function add(file) {
    const id = conversationId();
    if (!id || !file.type.startsWith("image/")) return;
    const preview = URL.createObjectURL(file);
    const status = el("span", { class: "att-status", text: "Uploading…" });
    const remove = el("button", { type: "button", class: "ghost", text: "×", "aria-label": "Remove image" });
    const item = el("li", {}, el("img", { alt: file.name || "Image", src: preview }), status, remove);
    pending.append(item);
    const upload = uploadImage(file, id, { name: file.name || "image.png" });
    remove.addEventListener("click", () => { item.remove(); ready = ready.filter((entry) => entry.item !== item); });
    upload.then((stored) => {
      status.textContent = "";
      if (item.isConnected) ready.push({ attachment_id: stored.attachment_id, conversation: id, item });
    }, (error) => { status.textContent = error.message; notify(error.message); });
  }
  const addAll = (files) => { for (const file of files) add(file); };

  chooser.addEventListener("change", () => { addAll(chooser.files); chooser.value = ""; });
  button.addEventListener("click", () => chooser.click());
  textarea.addEventListener("paste", (event) => {
    const files = [...event.clipboardData.files].filter((file) => file.type.startsWith("image/"));
    if (files.length) { event.preventDefault(); addAll(files); }
  });
  composer.addEventListener("dragover", (event) => { if (event.dataTransfer.types.includes("Files")) event.preventDefault(); });
  composer.addEventListener("drop", (event) => {
    if (!event.dataTransfer.files.length) return;
    event.preventDefault();
    addAll(event.dataTransfer.files);
  });
  textarea.before(pending);
  composer.querySelector(".composer-bar").prepend(button, chooser);
  return {
    // Images already stored in the conversation (a saved reply's copies) go with the next message.
    addStored(attachments, id) {
      for (const attachment of attachments) {
        const remove = el("button", { type: "button", class: "ghost", text: "×", "aria-label": "Remove image" });
        const item = el("li", {}, el("img", { alt: "Image from a saved reply", src: attachment.thumb_url }), remove);
        remove.addEventListener("click", () => { item.remove(); ready = ready.filter((entry) => entry.item !== item); });
        pending.append(item);
        ready.push({ attachment_id: attachment.attachment_id, conversation: id, item });
      }
    },
    // The uploaded images' ids; they leave the composer with the message that takes them.
    // Images uploaded to another conversation cannot go with it, so they are dropped.
    take() {
      const ids = ready.filter((entry) => entry.conversation === conversationId()).map((entry) => entry.attachment_id);
      for (const entry of ready) entry.item.remove();
      ready = [];
      return ids;
    },
  };
}

export function installAttachments({ composer, textarea, conversationId, sendMessage, notify }) {
  annotate = (attachment, id) => openAnnotator(attachment, {
    send: async (blob, note) => {
      const stored = await uploadImage(blob, id, { sourceId: attachment.attachment_id, name: "annotated.png" });
      sendMessage({ conversationId: id, text: note, attachmentIds: [stored.attachment_id] });
    },
  }).catch((error) => notify(error.message));
  return installComposer({ composer, textarea, conversationId, notify });
}
