// Saved replies in the composer: "/" plus a shortcut opens a picker; arrows + Enter insert.

import { el } from "./dom.js";

const TOKEN = /(?:^|\s)\/([\w-]*)$/; // a "/word" right before the caret

export function fillPlaceholders(body, { visitorName, agentName }) {
  return body.replaceAll("{{visitor.name}}", visitorName || "there").replaceAll("{{agent.name}}", agentName);
}

export function installPicker(textarea, names) {
  const picker = el("ul", { id: "reply-picker", class: "picker", role: "listbox", "aria-label": "Saved replies" });
  picker.hidden = true;
  textarea.before(picker);
  textarea.setAttribute("aria-controls", "reply-picker");
  let replies = [];
  let matches = [];
  let active = 0;

  async function load() {
    const response = await fetch("/api/v1/console/saved-replies", { credentials: "same-origin" });
    if (response.ok) replies = (await response.json()).saved_replies;
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

  function insert(reply) {
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret).replace(/\/[\w-]*$/, "");
    const text = fillPlaceholders(reply.body, names());
    textarea.value = before + text + textarea.value.slice(caret);
    textarea.selectionStart = textarea.selectionEnd = before.length + text.length;
    close();
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
