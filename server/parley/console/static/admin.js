// The admin pages: agents, teams, labels (admin_labels.js), business hours, the widget, mail
// (admin_mail.js), response targets and the review scorecard (admin_quality.js).
// One page; the sections are switched here. Everything people typed goes in through
// textContent or input values only.

import { installLabelAdmin } from "./admin_labels.js";
import { installMailAdmin } from "./admin_mail.js";
import { installQualityAdmin } from "./admin_quality.js";
import { el } from "./dom.js";
import { clearFieldErrors, inWords, placeError } from "./fields.js";
import { installHoursGrid } from "./admin_hours.js";
import { api as request } from "./http.js";

const API = "/api/v1/console/admin";
const root = document.getElementById("admin");
const status = document.getElementById("admin-status");
const state = { me: root.dataset.agentId, agents: [], teams: [], settings: {} };
const DEFAULT_GREETING = "Hi! Need help? Search our answers or ask us.";
const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

const api = (method, path, body) => request(method, API + path, body);

function say(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// Which field of a form each refusal belongs beside.
// (`conflict` is a taken email for a new agent; a new team's form maps it to the name.)
const FIELD_OF = {
  invalid_email: "email", conflict: "email", invalid_name: "name", weak_password: "password",
  invalid_capacity: "capacity", invalid_role: "role", invalid_locale: "locale",
};

/** Say why a change failed: beside its field when `form` has it, else in the status line. */
function refuse(error, form = null, byCode = FIELD_OF) {
  if (form && placeError(form, error, byCode)) say("Not saved: see the marked field.", true);
  else say(inWords(error.message), true);
}

/** Run an API change; on failure say why and re-read, so the page shows what is stored. */
async function attempt(work, done, form = null, byCode = FIELD_OF) {
  try {
    await work();
    if (form) clearFieldErrors(form);
    say(done);
  } catch (error) {
    refuse(error, form, byCode);
  }
  await loadPeople();
}

/* ---------- sections ---------- */

function show(section, push) {
  for (const node of root.querySelectorAll("section[data-section]")) node.hidden = node.dataset.section !== section;
  for (const link of root.querySelectorAll(".admin-nav a")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const title = root.querySelector(`section[data-section="${section}"] h1`).textContent;
  document.title = `${title} · Admin · Parley console`;
  if (push) history.pushState({ section }, "", `/console/admin/${section}`);
  say("");
}

const hoursGrid = installHoursGrid(document.getElementById("hours-form"));

root.querySelector(".admin-nav").addEventListener("click", (event) => {
  const link = event.target.closest("a[data-section]");
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  show(link.dataset.section, true);
});
window.addEventListener("popstate", () => show(location.pathname.split("/").pop() || "agents", false));

/* ---------- agents and teams ---------- */

function checkboxes(options, checkedIds, onChange) {
  if (!options.length) return el("span", { class: "hint", text: "none yet" });
  const group = el("span", { class: "checks" });
  for (const option of options) {
    const box = el("input", { type: "checkbox", value: option.id, checked: checkedIds.includes(option.id) });
    if (onChange) box.addEventListener("change", () => onChange(checkedValues(group)));
    group.append(el("label", {}, box, " ", option.name));
  }
  return group;
}

function checkedValues(container) {
  return [...container.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
}

function patchAgent(agent, changes) {
  return attempt(() => api("PATCH", `/agents/${encodeURIComponent(agent.id)}`, changes), `Saved ${agent.name}.`);
}

function agentRow(agent) {
  const role = el("select", { "aria-label": `Role of ${agent.name}` },
    el("option", { value: "agent", text: "Agent" }), el("option", { value: "admin", text: "Admin" }));
  role.value = agent.role;
  role.addEventListener("change", () => patchAgent(agent, { role: role.value }));
  const capacity = el("input", { type: "number", min: 1, max: 50, value: agent.capacity, class: "short", "aria-label": `Capacity of ${agent.name}` });
  capacity.addEventListener("change", () => patchAgent(agent, { capacity: Number(capacity.value) }));
  const toggle = el("button", { type: "button", text: agent.disabled ? "Enable" : "Disable" });
  toggle.addEventListener("click", () => patchAgent(agent, { disabled: !agent.disabled }));
  const name = el("td", {}, el("span", { class: "strong", text: agent.name }));
  if (agent.id === state.me) name.append(" ", el("span", { class: "badge", text: "you" }));
  return el("tr", { class: agent.disabled ? "disabled" : "" },
    name,
    el("td", { text: agent.email }),
    el("td", {}, role),
    el("td", {}, capacity),
    el("td", {}, checkboxes(state.teams, agent.team_ids, (ids) => patchAgent(agent, { team_ids: ids }))),
    el("td", {}, el("span", { class: agent.disabled ? "badge off" : "badge on", text: agent.disabled ? "Disabled" : "Active" }), " ", toggle),
    passwordCell(agent),
  );
}

/** "New password": an inline form; saving it ends every session of that agent. Not for
 * oneself (the server refuses it too): a borrowed session must not lock its owner out. */
function passwordCell(agent) {
  const cell = el("td", {});
  if (agent.id === state.me) {
    cell.append(el("span", { class: "hint", text: "Change yours under your name in the console's top bar" }));
    return cell;
  }
  const open = el("button", { type: "button", text: "New password", "aria-label": `New password for ${agent.name}` });
  open.addEventListener("click", () => {
    const field = el("input", { type: "password", required: true, minLength: root.dataset.minPassword, autocomplete: "new-password", "aria-label": `New password for ${agent.name}` });
    const cancel = el("button", { type: "button", text: "Cancel" });
    const form = el("form", { class: "password-form" }, field, el("button", { type: "submit", class: "primary", text: "Set" }), cancel);
    cancel.addEventListener("click", () => form.replaceWith(open));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      attempt(
        () => api("PUT", `/agents/${encodeURIComponent(agent.id)}/password`, { password: field.value }),
        `New password set for ${agent.name}. They were signed out everywhere.`,
      );
    });
    open.replaceWith(form);
    field.focus();
  });
  cell.append(open);
  return cell;
}

function teamRow(team) {
  const name = el("input", { value: team.name, maxLength: 100, readOnly: team.default, "aria-label": "Team name" });
  if (team.default) name.title = "The default team: new conversations go here unless a team is chosen.";
  const locale = el("input", { value: team.locale || "", maxLength: 16, class: "short", "aria-label": `Locale of ${team.name}` });
  const members = checkboxes(state.agents, team.member_ids, null);
  const save = el("button", { type: "button", text: "Save" });
  save.addEventListener("click", () => attempt(
    () => api("PATCH", `/teams/${encodeURIComponent(team.id)}`, { name: name.value, locale: locale.value, member_ids: checkedValues(members) }),
    `Saved ${name.value}.`,
  ));
  const actions = el("td", { class: "actions" }, save);
  if (!team.default) {
    const remove = el("button", { type: "button", class: "danger", text: "Delete", "aria-label": `Delete ${team.name}` });
    remove.addEventListener("click", () => {
      if (!confirm(`Delete the team ${team.name}? Its members stay agents; its conversations move to the default team.`)) return;
      attempt(() => api("DELETE", `/teams/${encodeURIComponent(team.id)}`), `Deleted ${team.name}.`);
    });
    actions.append(" ", remove);
  }
  return el("tr", {}, el("td", {}, name), el("td", {}, locale), el("td", {}, members), actions);
}

async function loadPeople() {
  try {
    const [agents, teams] = await Promise.all([api("GET", "/agents"), api("GET", "/teams")]);
    state.agents = agents.agents;
    state.teams = teams.teams;
  } catch (error) {
    say(error.message, true);
    return;
  }
  document.getElementById("agent-rows").replaceChildren(...state.agents.map(agentRow));
  document.getElementById("team-rows").replaceChildren(...state.teams.map(teamRow));
  const formTeams = document.getElementById("agent-form-teams"); // what was ticked stays ticked
  formTeams.replaceChildren(checkboxes(state.teams, checkedValues(formTeams), null));
}

document.getElementById("agent-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const body = Object.fromEntries(new FormData(form));
  body.capacity = Number(body.capacity);
  body.team_ids = checkedValues(form);
  attempt(async () => {
    await api("POST", "/agents", body);
    form.reset();
  }, `Created ${body.name}. They can sign in now.`, form);
});

document.getElementById("team-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const body = Object.fromEntries(new FormData(form));
  attempt(async () => {
    await api("POST", "/teams", body);
    form.reset();
  }, `Created ${body.name}.`, form, { ...FIELD_OF, conflict: "name" });
});

/* ---------- site settings: business hours and the widget ---------- */

function fieldValue(form, key) {
  const field = form.elements[key];
  return field instanceof RadioNodeList ? field.value : field.value.trim();
}

function fillSettings() {
  for (const form of document.querySelectorAll("form[data-keys]")) {
    for (const key of form.dataset.keys.split(" ")) {
      const entry = state.settings[key];
      const field = form.elements[key];
      if (key === "identity_secret") {
        field.value = "";
        field.type = "password";
        field.placeholder = entry.set ? "•••••••• (set)" : "Not set: verification is refused";
      } else {
        field.value = entry.value;
      }
      if (key === "business_hours") hoursGrid.show(entry.value);
      if (key === "timezone") hoursGrid.showZone(entry.value);
      const source = form.querySelector(`[data-source="${key}"]`);
      if (source) source.textContent = entry.source === "admin" ? "Set here by an admin." : "From the server's environment.";
    }
  }
  updatePreview();
}

async function loadSettings() {
  try {
    state.settings = (await api("GET", "/settings")).settings;
    fillSettings();
  } catch (error) {
    say(error.message, true);
  }
}

async function saveSettings(changes, form) {
  try {
    state.settings = (await api("PUT", "/settings", changes)).settings;
    fillSettings();
    clearFieldErrors(form);
    say("Saved. The widget and the server use it from now on.");
  } catch (error) {
    refuse(error, form);
  }
}

for (const form of document.querySelectorAll("form[data-keys]")) {
  const keys = form.dataset.keys.split(" ");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (form.checkValidity && !form.reportValidity()) return;
    const changes = {};
    for (const key of keys) {
      const value = fieldValue(form, key);
      if (key === "identity_secret" ? value !== "" : value !== state.settings[key].value) changes[key] = value;
    }
    if (Object.keys(changes).length) saveSettings(changes, form);
    else say("Nothing changed.");
  });
  form.querySelector("[data-reset]").addEventListener("click", () => {
    if (confirm("Go back to the values set in the server's environment?")) {
      saveSettings(Object.fromEntries(keys.map((key) => [key, null])), form);
    }
  });
}

const widgetForm = document.getElementById("widget-form");
const picker = document.getElementById("widget_color_picker");

function readableOn(hex) {
  const full = hex.length === 4 ? "#" + [...hex.slice(1)].map((c) => c + c).join("") : hex;
  const channel = (i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05) >= 4.5 ? "#ffffff" : "#111418";
}

function updatePreview() {
  const typed = fieldValue(widgetForm, "widget_color");
  const color = HEX.test(typed) ? typed : state.settings.widget_color?.value || "#1f5fd6";
  if (color.length === 7) picker.value = color.toLowerCase();
  // The closed widget (launcher and greeting) and the open panel, in the colour as typed.
  for (const id of ["preview-launcher", "preview-panel-head", "preview-ask"]) {
    const node = document.getElementById(id);
    node.style.background = color;
    node.style.color = readableOn(color);
  }
  const locale = fieldValue(widgetForm, "widget_locale");
  const own = locale ? fieldValue(widgetForm, `widget_greeting_${locale}`) : "";
  const greeting = own || fieldValue(widgetForm, "widget_greeting") || DEFAULT_GREETING;
  document.getElementById("preview-greeting").textContent = greeting;
  document.getElementById("preview-panel-greeting").textContent = greeting;
  document.getElementById("preview-site-name").textContent = fieldValue(widgetForm, "site_name") || "Help";
  const position = fieldValue(widgetForm, "widget_position") || "right";
  for (const id of ["widget-preview", "widget-preview-open"]) document.getElementById(id).dataset.position = position;
}

widgetForm.addEventListener("input", updatePreview);
picker.addEventListener("input", () => {
  widgetForm.elements.widget_color.value = picker.value;
  updatePreview();
});

document.getElementById("generate-secret").addEventListener("click", () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const field = widgetForm.elements.identity_secret;
  field.value = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  field.type = "text";
  say("A new secret: copy it to the code that computes user_hash on your server, then Save.");
});

const snippet = `<script src="${location.origin}/widget.js" async></script>`;
document.getElementById("embed-snippet").textContent = snippet;
document.getElementById("copy-snippet").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(snippet);
    say("Copied the embed snippet.");
  } catch {
    getSelection().selectAllChildren(document.getElementById("embed-snippet"));
    say("Selected: press Ctrl+C (⌘C) to copy.");
  }
});


show(root.dataset.section, false);
loadPeople();
loadSettings();
installLabelAdmin({ say });
installMailAdmin({ say });
installQualityAdmin({ say });
