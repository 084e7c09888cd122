// The admin page's Labels section: the team's labels with their usage, create, rename,
// recolour, describe, delete. Reads the agents' list endpoint; writes go to the admin API.

import { el } from "./dom.js";
import { clearFieldErrors, inWords, placeError } from "./fields.js";
import { api } from "./http.js";

const FIELD_OF = { invalid_label: "name", label_exists: "name", invalid_colour: "colour", invalid_description: "description" };

const form = document.getElementById("label-form");
const COLOURS = document.getElementById("label-form-colour").dataset.colours.split(" ");
const NAMES = Object.fromEntries(COLOURS.map((c) => [c, c[0].toUpperCase() + c.slice(1)]));

// defaultSelected, so a form reset returns to it too.
function colourOptions(chosen) {
  return COLOURS.map((c) => el("option", { value: c, text: NAMES[c], defaultSelected: c === chosen }));
}

function preview(name, colour) {
  return el("span", { class: "chip", "data-colour": colour, text: name });
}

export function installLabelAdmin({ say }) {
  const rows = document.getElementById("label-rows");

  async function load() {
    try {
      const { labels } = await api("GET", "/api/v1/console/labels");
      rows.replaceChildren(...labels.map(row));
      if (!labels.length) rows.append(el("tr", {}, el("td", { colSpan: 6, class: "hint", text: "No labels yet." })));
    } catch (error) {
      say(error.message, true);
    }
  }

  /** Run a change and say `done` (text, or made from the answer: the name as stored); on
   * failure say why. Either way re-read, so the table shows what is stored. */
  async function attempt(work, done, inForm = null) {
    try {
      const answer = await work();
      if (inForm) clearFieldErrors(inForm);
      say(typeof done === "function" ? done(answer) : done);
    } catch (error) {
      if (inForm && placeError(inForm, error, FIELD_OF)) say("Not saved: see the marked field.", true);
      else say(inWords(error.message), true);
    }
    await load();
  }

  function row(label) {
    const url = `/api/v1/console/admin/labels/${encodeURIComponent(label.id)}`;
    const chip = preview(label.name, label.colour);
    const name = el("input", { value: label.name, maxLength: 40, "aria-label": `Name of ${label.name}` });
    const colour = el("select", { "aria-label": `Colour of ${label.name}` }, ...colourOptions(label.colour));
    colour.addEventListener("change", () => { chip.dataset.colour = colour.value; });
    const description = el("input", { value: label.description || "", maxLength: 200, class: "wide", "aria-label": `Description of ${label.name}` });
    const save = el("button", { type: "button", text: "Save", "aria-label": `Save ${label.name}` });
    save.addEventListener("click", () => {
      const changes = { colour: colour.value, description: description.value };
      if (name.value.trim() !== label.name) changes.name = name.value;
      attempt(() => api("PATCH", url, changes), (saved) => `Saved ${saved.name}.`);
    });
    const remove = el("button", { type: "button", class: "danger", text: "Delete", "aria-label": `Delete ${label.name}` });
    remove.addEventListener("click", () => {
      const on = label.count === 1 ? "1 conversation" : `${label.count} conversations`;
      if (!confirm(`Delete the label ${label.name}? It comes off ${on}.`)) return;
      attempt(() => api("DELETE", url), `Deleted ${label.name}.`);
    });
    return el("tr", { "data-label": label.name },
      el("td", {}, chip),
      el("td", {}, name),
      el("td", {}, colour),
      el("td", {}, description),
      el("td", { class: "count", text: String(label.count) }),
      el("td", { class: "actions" }, save, " ", remove),
    );
  }

  // The first colour is the default one (LABEL_COLOURS), as for names agents add on the fly.
  document.getElementById("label-form-colour").replaceChildren(...colourOptions(COLOURS[0]));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form));
    attempt(async () => {
      const created = await api("POST", "/api/v1/console/admin/labels", body);
      form.reset();
      return created;
    }, (created) => `Created ${created.name}.`, form);
  });
  load();
}
