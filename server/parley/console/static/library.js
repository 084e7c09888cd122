// The team's GIF and image library: a manager (upload with title and tags, usage counts,
// delete) and a picker in the composer, opened with "/gif words" or the GIF button.

import { animatedImage, postForm } from "./attachments.js";
import { el } from "./dom.js";
import { api } from "./http.js";

const API = "/api/v1/console/library";
const COMMAND = /^\/gif(?:\s+(.*))?$/s; // the whole composer is "/gif" plus search words

async function search(query) {
  return (await api("GET", `${API}?q=${encodeURIComponent(query)}`)).items;
}

function picture(item) {
  const { attachment } = item;
  const size = { width: 96, height: Math.max(1, Math.round((96 * attachment.height) / attachment.width)) };
  if (attachment.content_type === "image/gif" && attachment.frames > 1) return animatedImage(attachment, size);
  return { img: el("img", { alt: "", src: attachment.thumb_url, ...size }) };
}

const usage = (uses) => `Used ${uses} time${uses === 1 ? "" : "s"}`;

// --- the picker in the composer --------------------------------------------------------------

function installPicker({ textarea, conversationId, sendMessage, notify }) {
  const query = el("input", { type: "search", class: "lib-query", placeholder: "Search GIFs and images", "aria-label": "Search the library" });
  const results = el("ul", { class: "lib-results", "aria-label": "Library results" });
  const panel = el("div", { class: "lib-picker", role: "dialog", "aria-label": "GIF library" }, query, results);
  panel.hidden = true;
  const button = el("button", { type: "button", class: "ghost", text: "GIF", title: "Send a GIF from the library (/gif)", "aria-expanded": "false" });
  let items = [];
  let seen = 0;

  async function refresh(words) {
    const asked = ++seen;
    try {
      const found = await search(words);
      if (asked !== seen) return; // a later search already answered
      items = found;
      results.replaceChildren(...items.map((item, index) => {
        const { img, toggle } = picture(item);
        const choose = el("button", { type: "button", class: "lib-choose", "data-index": String(index), title: item.title },
          img, el("span", { class: "lib-title", text: item.title }), el("span", { class: "lib-uses", text: usage(item.uses) }));
        return el("li", {}, choose, toggle);
      }));
      if (!items.length) results.append(el("li", { class: "empty", text: "Nothing in the library matches." }));
    } catch (error) {
      notify(error.message);
    }
  }
  function open(words) {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    refresh(words);
  }
  function close() {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }
  async function send(item) {
    const id = conversationId();
    if (!id || !item) return;
    close();
    if (COMMAND.test(textarea.value)) textarea.value = "";
    try {
      const sent = await api("POST", `${API}/${item.id}/send`, { conversation_id: id });
      sendMessage({ conversationId: id, text: "", attachmentIds: [sent.attachment.attachment_id] });
    } catch (error) {
      notify(error.message);
    }
  }

  results.addEventListener("click", (event) => {
    const choice = event.target.closest(".lib-choose");
    if (choice) send(items[Number(choice.dataset.index)]);
  });
  button.addEventListener("click", () => {
    if (!panel.hidden) return close();
    open(query.value);
    query.focus();
  });
  query.addEventListener("input", () => refresh(query.value));
  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); send(items[0]); }
    if (event.key === "Escape") { event.stopPropagation(); close(); textarea.focus(); }
  });
  textarea.addEventListener("input", () => {
    const typed = COMMAND.exec(textarea.value);
    if (typed) open(typed[1] || "");
    else if (!panel.hidden) close(); // the command was edited away
  });
  // Enter on "/gif words" sends the first match instead of the text "/gif words".
  textarea.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || !COMMAND.test(textarea.value)) return;
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(items[0]); }
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  textarea.closest("form").querySelector(".composer-bar").prepend(button);
  textarea.before(panel);
}

// --- the manager ----------------------------------------------------------------------------

function installManager({ me, notify }) {
  const file = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp", required: true, "aria-label": "Image file" });
  const title = el("input", { type: "text", required: true, maxLength: 200, "aria-label": "Title", placeholder: "Title" });
  const tags = el("input", { type: "text", "aria-label": "Tags", placeholder: "Tags, comma-separated" });
  // A styled picker: the real input stays (keyboard, screen readers, drop), drawn as a button
  // that names the chosen file.
  const chosen = el("span", { class: "file-picker-name", text: "No file chosen" });
  const picker = el("label", { class: "file-picker" }, file, el("span", { class: "file-picker-button i i-upload", text: "Choose an image…" }), chosen);
  file.addEventListener("change", () => { chosen.textContent = file.files[0]?.name || "No file chosen"; });
  const upload = el("form", { class: "lib-upload" }, picker, title, tags, el("button", { type: "submit", class: "primary", text: "Upload" }));
  const status = el("p", { class: "lib-status", role: "status" });
  const list = el("ul", { class: "lib-items", "aria-label": "Library items" });
  const closeButton = el("button", { type: "button", text: "Close" });
  const dialog = el("div", { class: "lib-manager overlay", role: "dialog", "aria-modal": "true", "aria-labelledby": "lib-heading" },
    el("div", { class: "card" }, el("h2", { id: "lib-heading", text: "GIF & image library" }), upload, status, list, el("div", { class: "form-actions" }, closeButton)));
  dialog.hidden = true;
  const button = el("button", { type: "button", class: "ghost i i-library", text: "Library" });

  async function load() {
    const items = await search("");
    list.replaceChildren(...items.map((item) => {
      const { img, toggle } = picture(item);
      const row = el("li", { "data-id": item.id }, img,
        el("div", { class: "lib-meta" }, el("strong", { text: item.title }), el("span", { class: "lib-tags", text: item.tags.join(", ") }), el("span", { class: "lib-uses", text: usage(item.uses) })), toggle);
      if (me.role === "admin" || item.created_by === me.id) {
        const remove = el("button", { type: "button", text: "Delete", "aria-label": `Delete ${item.title}` });
        remove.addEventListener("click", () => removeItem(item));
        row.append(remove);
      }
      return row;
    }));
    if (!items.length) list.append(el("li", { class: "empty", text: "The library is empty: upload a GIF or a screenshot." }));
  }
  async function removeItem(item) {
    try {
      await api("DELETE", `${API}/${item.id}`);
    } catch (error) {
      status.textContent = error.message;
    }
    await load();
  }
  upload.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append("title", title.value);
    form.append("tags", tags.value);
    form.append("file", file.files[0]);
    status.textContent = "Uploading…";
    try {
      await postForm(API, form);
    } catch (error) {
      status.textContent = error.message;
      return;
    }
    status.textContent = `Added “${title.value}”.`;
    upload.reset();
    chosen.textContent = "No file chosen";
    await load();
  });
  const hide = () => { dialog.hidden = true; button.focus(); };
  closeButton.addEventListener("click", hide);
  dialog.addEventListener("keydown", (event) => {
    event.stopPropagation(); // the console's shortcuts wait until the library is closed
    if (event.key === "Escape") hide();
  });
  button.addEventListener("click", () => {
    dialog.hidden = false;
    status.textContent = "";
    load().catch((error) => notify(error.message));
    title.focus();
  });
  document.getElementById("help-button").before(button);
  document.body.append(dialog);
}

export function installLibrary(options) {
  installPicker(options);
  installManager(options);
}
