// The admin page's Response targets and Review scorecard sections: the service-level targets
// (list, add, change in place, delete) and the peer-review scorecard (criteria, weights, scale),
// over the quality API (docs/quality.md).

import { el } from "./dom.js";
import { api } from "./http.js";

const TARGETS = "/api/v1/quality/sla/targets";
const APPLIES = { all: "Every conversation", team: "A team", label: "A label", verified: "Verified customers" };
const ESCALATIONS = { none: "Nothing more", notify: "Note to the team", reassign: "Back to the queue", mail: "Note and mail to the team" };

function options(choices, chosen) {
  return Object.entries(choices).map(([value, text]) => el("option", { value, text, selected: value === chosen }));
}

const minutes = (seconds) => (seconds ? String(Math.round(seconds / 60)) : "");
const seconds = (text) => (text.trim() === "" ? null : Math.round(Number(text) * 60));

// The inputs of one target (a table row's cells, or the add form's fields), labelled for it.
function targetFields(target, labelled) {
  const value = el("input", { value: target.applies_value || "", maxLength: 60, autocomplete: "off", "aria-label": labelled("Team id or label") });
  value.setAttribute("list", "target-values"); // a read-only property: only the attribute sets it
  return {
    name: el("input", { value: target.name, maxLength: 100, required: true, "aria-label": labelled("Name") }),
    applies_to: el("select", { "aria-label": labelled("Applies to") }, ...options(APPLIES, target.applies_to)),
    applies_value: value,
    first: el("input", { type: "number", min: 1, max: 43200, value: minutes(target.first_response_seconds), class: "short", "aria-label": labelled("First reply in minutes") }),
    next: el("input", { type: "number", min: 1, max: 43200, value: minutes(target.next_response_seconds), class: "short", "aria-label": labelled("Next reply in minutes") }),
    business_hours: el("input", { type: "checkbox", checked: target.business_hours, "aria-label": labelled("Business hours only") }),
    escalation: el("select", { "aria-label": labelled("When missed") }, ...options(ESCALATIONS, target.escalation)),
  };
}

function targetBody(f) {
  return {
    name: f.name.value,
    applies_to: f.applies_to.value,
    applies_value: f.applies_value.value || null,
    first_response_seconds: seconds(f.first.value),
    next_response_seconds: seconds(f.next.value),
    business_hours: f.business_hours.checked,
    escalation: f.escalation.value,
  };
}

function installTargets(say) {
  const rows = document.getElementById("target-rows");
  const form = document.getElementById("target-form");

  async function load() {
    try {
      const { targets } = await api("GET", TARGETS);
      rows.replaceChildren(...targets.map(row));
      if (!targets.length) rows.append(el("tr", {}, el("td", { colSpan: 8, class: "hint", text: "No targets yet: no conversation has a clock." })));
    } catch (error) {
      say(error.message, true);
    }
  }

  async function attempt(work, done) {
    try {
      say(done(await work()));
    } catch (error) {
      say(error.message, true);
    }
    await load();
  }

  function row(target) {
    const url = `${TARGETS}/${encodeURIComponent(target.id)}`;
    const f = targetFields(target, (what) => `${what} of ${target.name}`);
    const save = el("button", { type: "button", text: "Save", "aria-label": `Save ${target.name}` });
    save.addEventListener("click", () => attempt(() => api("PUT", url, targetBody(f)), (saved) => `Saved ${saved.name}.`));
    const remove = el("button", { type: "button", class: "danger", text: "Delete", "aria-label": `Delete ${target.name}` });
    remove.addEventListener("click", () => {
      if (confirm(`Delete the target ${target.name}? Its clocks stop; breaches recorded stay.`)) {
        attempt(() => api("DELETE", url), () => `Deleted ${target.name}.`);
      }
    });
    return el("tr", { "data-target": target.name },
      ...[f.name, f.applies_to, f.applies_value, f.first, f.next, f.business_hours, f.escalation].map((input) => el("td", {}, input)),
      el("td", { class: "actions" }, save, " ", remove));
  }

  const blank = { name: "", applies_to: "all", applies_value: null, first_response_seconds: 3600, next_response_seconds: null, business_hours: false, escalation: "notify" };
  const f = targetFields(blank, (what) => what);
  const field = (text, input) => el("label", {}, `${text} `, input);
  form.replaceChildren(
    field("Name", f.name), field("Applies to", f.applies_to), field("Team id or label", f.applies_value),
    field("First reply (min)", f.first), field("Next reply (min)", f.next),
    el("label", {}, f.business_hours, " Business hours only"), field("When missed", f.escalation),
    el("button", { type: "submit", class: "primary", text: "Create target" }),
  );
  for (const input of [f.name, f.applies_value, f.first, f.next, f.business_hours]) input.removeAttribute("aria-label");
  for (const input of [f.applies_to, f.escalation]) input.removeAttribute("aria-label");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => {
      const created = await api("POST", TARGETS, targetBody(f));
      f.name.value = "";
      return created;
    }, (created) => `Created ${created.name}.`);
  });
  // Suggestions for "Team id or label": each team's id (shown with its name), each label.
  Promise.all([api("GET", "/api/v1/console/admin/teams"), api("GET", "/api/v1/console/labels")]).then(([{ teams }, { labels }]) => {
    form.append(el("datalist", { id: "target-values" },
      ...teams.map((team) => el("option", { value: team.id, label: `Team: ${team.name}` })),
      ...labels.map((label) => el("option", { value: label.name, label: `Label: ${label.name}` }))));
  }, (error) => say(error.message, true));
  load();
}

function installScorecard(say) {
  const form = document.getElementById("scorecard-form");
  const scale = document.getElementById("scorecard-scale");
  const rows = document.getElementById("criterion-rows");

  function criterion(item = { label: "", weight: 10 }) {
    const n = rows.children.length + 1;
    const label = el("input", { value: item.label, maxLength: 100, required: true, "aria-label": `Criterion ${n}` });
    const weight = el("input", { type: "number", min: 0.1, max: 100, step: "any", value: String(item.weight), class: "short", required: true, "aria-label": `Weight of criterion ${n}` });
    const remove = el("button", { type: "button", class: "danger", text: "Remove", "aria-label": `Remove criterion ${n}` });
    const tr = el("tr", { "data-key": item.key || "" }, el("td", {}, label), el("td", {}, weight), el("td", {}, remove));
    remove.addEventListener("click", () => tr.remove());
    return tr;
  }

  function show(card) {
    scale.value = String(card.scale);
    rows.replaceChildren();
    for (const item of card.criteria) rows.append(criterion(item));
  }

  async function load() {
    try {
      show(await api("GET", "/api/v1/quality/scorecard"));
    } catch (error) {
      say(error.message, true);
    }
  }

  document.getElementById("add-criterion").addEventListener("click", () => {
    rows.append(criterion());
    rows.lastElementChild.querySelector("input").focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const criteria = [...rows.children].map((tr) => {
      const [label, weight] = tr.querySelectorAll("input");
      return { ...(tr.dataset.key ? { key: tr.dataset.key } : {}), label: label.value, weight: Number(weight.value) };
    });
    try {
      show(await api("PUT", "/api/v1/quality/scorecard", { scale: Number(scale.value), criteria }));
      say("Saved the scorecard: new reviews use it.");
    } catch (error) {
      say(error.message, true);
    }
  });
  load();
}

export function installQualityAdmin({ say }) {
  installTargets(say);
  installScorecard(say);
}
