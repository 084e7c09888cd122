// Business hours as a weekly grid and a time-zone picker. The setting keeps its text form
// ("mon-fri 09:00-17:00; sat 10:00-14:00", routing/hours.py): this module turns the grid into
// that text (in the form's hidden `business_hours` field) and the text back into the grid.

import { el } from "./dom.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DEFAULT_WINDOW = ["09:00", "17:00"];

/** The text form → one window (or none) per day, and whether some day had more than one. */
export function parseHours(text) {
  const days = DAYS.map(() => null);
  let several = false;
  for (const chunk of text.toLowerCase().split(";").map((c) => c.trim()).filter(Boolean)) {
    const [daySpec, hours] = chunk.split(/\s+/);
    const [opens, closes] = (hours || "").split("-");
    for (const part of (daySpec || "").split(",")) {
      const [first, last] = part.split("-");
      const start = DAYS.indexOf(first);
      const end = last ? DAYS.indexOf(last) : start;
      for (let day = start; start >= 0 && day <= end; day += 1) {
        several ||= days[day] !== null;
        days[day] ??= [opens, closes];
      }
    }
  }
  return { days, several };
}

/** One window (or null) per day → the text form, runs of days with the same hours joined. */
export function formatHours(days) {
  const parts = [];
  for (let day = 0; day < DAYS.length; day += 1) {
    const window = days[day];
    if (!window) continue;
    let last = day;
    while (last + 1 < DAYS.length && days[last + 1]?.join() === window.join()) last += 1;
    parts.push(`${last > day ? `${DAYS[day]}-${DAYS[last]}` : DAYS[day]} ${window[0]}-${window[1]}`);
    day = last;
  }
  return parts.join("; ");
}

export function installHoursGrid(form) {
  const hidden = form.elements.business_hours;
  const zone = form.elements.timezone;
  const note = document.getElementById("hours-note");
  const rows = DAYS.map((day, index) => {
    const name = DAY_NAMES[index];
    const open = el("input", { type: "checkbox", "aria-label": `Open on ${name}` });
    const opens = el("input", { type: "time", "aria-label": `${name} opens`, value: DEFAULT_WINDOW[0] });
    const closes = el("input", { type: "time", "aria-label": `${name} closes`, value: DEFAULT_WINDOW[1], "aria-describedby": `hours-${day}-error` });
    const problem = el("span", { class: "field-error", id: `hours-${day}-error` });
    const row = el("tr", {}, el("th", { scope: "row", text: name }), el("td", {}, open), el("td", {}, opens), el("td", {}, closes), el("td", {}, problem));
    return { open, opens, closes, problem, row };
  });
  document.getElementById("hours-rows").replaceChildren(...rows.map((r) => r.row));

  // The grid → the hidden field; a day that closes before it opens is refused beside it.
  function sync() {
    for (const { open, opens, closes, problem } of rows) {
      opens.disabled = closes.disabled = !open.checked;
      const wrong = open.checked && !(opens.value && closes.value && closes.value > opens.value);
      const text = wrong ? "Closing time must be after opening time." : "";
      problem.textContent = text;
      closes.setCustomValidity(text);
      if (wrong) closes.setAttribute("aria-invalid", "true");
      else closes.removeAttribute("aria-invalid");
    }
    hidden.value = formatHours(rows.map((r) => (r.open.checked ? [r.opens.value, r.closes.value] : null)));
  }
  for (const { open, opens, closes } of rows) {
    for (const input of [open, opens, closes]) input.addEventListener("input", sync);
    open.addEventListener("change", sync);
  }

  // Every zone the browser knows, grouped by region; the stored one even if it does not.
  const zones = Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [];
  const regions = new Map();
  for (const name of zones) {
    const region = name.includes("/") ? name.split("/")[0] : "Other";
    if (!regions.has(region)) regions.set(region, []);
    regions.get(region).push(name);
  }
  zone.replaceChildren(
    el("option", { value: "UTC", text: "UTC" }),
    ...[...regions].map(([region, names]) => el("optgroup", { label: region }, ...names.map((n) => el("option", { value: n, text: n.replaceAll("_", " ") })))),
  );
  const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const useMine = document.getElementById("use-browser-zone");
  useMine.textContent = `Use this browser's (${mine})`;
  useMine.addEventListener("click", () => showZone(mine));

  function showZone(name) {
    if (![...zone.options].some((o) => o.value === name)) zone.prepend(el("option", { value: name, text: name }));
    zone.value = name;
  }

  return {
    show(text) {
      const { days, several } = parseHours(text);
      rows.forEach((r, day) => {
        r.open.checked = days[day] !== null;
        [r.opens.value, r.closes.value] = days[day] || DEFAULT_WINDOW;
      });
      note.hidden = !several;
      note.textContent = several ? `Stored as “${text}”: some days open more than once, and this grid keeps the first opening of each day when you save.` : "";
      sync();
    },
    showZone,
  };
}
