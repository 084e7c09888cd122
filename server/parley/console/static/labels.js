// The team's labels in the console: their colours on chips, the labels row under the
// conversation header (add with suggestions, remove, filter by), kept current by `labels` frames.

import { el } from "./dom.js";
import { api } from "./http.js";

// name -> {id, name, colour, description}: from GET /api/v1/console/labels, then `labels` frames.
const known = new Map();
let version = 0; // bumped on every list change, so the labels row redraws recoloured chips

export function setLabelList(labels) {
  known.clear();
  for (const label of labels) known.set(label.name, label);
  version += 1;
}

/** The list with usage counts (most used first); also refreshes the colours. */
export async function loadLabelList() {
  const { labels } = await api("GET", "/api/v1/console/labels");
  setLabelList(labels);
  return labels;
}

/** A chip in the label's colour (grey until the list knows the name). */
export function chip(name, ...children) {
  const label = known.get(name);
  return el("span", { class: "chip", "data-colour": label?.colour || "grey", title: label?.description || "" }, ...children);
}

export function labelChips(labels) {
  return (labels || []).map((name) => chip(name, name));
}

// --- the labels row -----------------------------------------------------------------------

export function renderLabels(conversation) {
  const box = document.getElementById("labels");
  const key = JSON.stringify([conversation.id, conversation.labels || [], version]);
  if (box.dataset.key === key) return; // unchanged: keep the input, its text and suggestions
  box.dataset.key = key;
  const chips = (conversation.labels || []).map((name) =>
    chip(
      name,
      el("button", { type: "button", class: "chip-filter", "data-filter": name, text: name, title: `Conversations labelled ${name}` }),
      el("button", { type: "button", class: "chip-remove", "data-remove": name, "aria-label": `Remove label ${name}`, text: "×" }),
    ),
  );
  const input = el("input", {
    id: "label-input",
    placeholder: "+ label",
    maxLength: 40,
    autocomplete: "off",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": "label-suggestions",
  });
  input.setAttribute("role", "combobox");
  const listbox = el("ul", { id: "label-suggestions", class: "label-suggestions", "aria-label": "Labels", hidden: true });
  listbox.setAttribute("role", "listbox");
  const form = el(
    "form",
    { class: "label-add" },
    el("label", { class: "visually-hidden", htmlFor: "label-input", text: "Add label" }),
    input,
    listbox,
  );
  box.replaceChildren(...chips, form);
}

/** Names of the list matching what is typed (prefix first), minus those on the conversation. */
function suggestions(typed, present) {
  const wanted = typed.trim().toLowerCase();
  const names = [...known.keys()].filter((name) => !present.includes(name) && name.includes(wanted));
  return names.sort((a, b) => Number(!a.startsWith(wanted)) - Number(!b.startsWith(wanted)) || a.localeCompare(b)).slice(0, 8);
}

// A combobox: typing filters the team's labels, arrows move, Enter or a click picks, Esc
// closes. Enter with nothing picked adds what was typed (a new name joins the list).
function installSuggestions(box, state, add) {
  let active = -1;
  const list = () => document.getElementById("label-suggestions");
  const input = () => document.getElementById("label-input");
  const options = () => [...list().querySelectorAll("[role=option]")];

  function close() {
    active = -1;
    list().hidden = true;
    input().setAttribute("aria-expanded", "false");
    input().removeAttribute("aria-activedescendant");
  }

  function open() {
    const present = state.conversations.get(state.activeId)?.labels || [];
    const names = suggestions(input().value, present);
    active = -1;
    list().replaceChildren(...names.map((name, i) => {
      const option = el("li", { id: `label-option-${i}`, "aria-selected": "false", "data-pick": name }, chip(name, name));
      option.setAttribute("role", "option");
      return option;
    }));
    list().hidden = !names.length;
    input().setAttribute("aria-expanded", String(!!names.length));
    input().removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input().setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  box.addEventListener("input", (event) => { if (event.target.id === "label-input") open(); });
  box.addEventListener("focusout", (event) => { if (!box.contains(event.relatedTarget)) close(); });
  box.addEventListener("keydown", (event) => {
    if (event.target.id !== "label-input") return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list().hidden) open();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Escape" && !list().hidden) {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      add(options()[active].dataset.pick);
    }
  });
  // mousedown, not click: the input keeps focus, so the list is still there to be clicked.
  box.addEventListener("mousedown", (event) => {
    const option = event.target.closest("[data-pick]");
    if (!option) return;
    event.preventDefault();
    add(option.dataset.pick);
  });
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
  const add = (label) => {
    document.getElementById("label-input").value = "";
    change("POST", url(), { label }).then(() => document.getElementById("label-input").focus());
  };
  installSuggestions(box, state, add);
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    const label = event.target.querySelector("input").value.trim();
    if (label) add(label);
  });
  box.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove]");
    if (remove) change("DELETE", `${url()}/${encodeURIComponent(remove.dataset.remove)}`);
    const filter = event.target.closest("[data-filter]");
    if (filter) filterByLabel(filter.dataset.filter);
  });
}
