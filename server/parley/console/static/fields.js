// Errors beside the field they concern, in words, for the admin forms: the field is marked
// invalid and its error joins its accessible description; the page's status line only says
// that something needs fixing.

import { el } from "./dom.js";

/** A server message as a sentence: "expected a colour like #1f5fd6" → "Expected a colour like #1f5fd6." */
export function inWords(message) {
  const text = String(message || "").trim();
  if (!text) return "Something went wrong. Try again.";
  return text[0].toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

export function clearFieldErrors(form) {
  for (const error of form.querySelectorAll(".field-error[data-for]")) {
    const field = form.elements[error.dataset.for];
    const control = field instanceof RadioNodeList ? field[0] : field;
    if (control) {
      control.removeAttribute("aria-invalid");
      const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== error.id);
      if (described.length) control.setAttribute("aria-describedby", described.join(" "));
      else control.removeAttribute("aria-describedby");
    }
    error.remove();
  }
}

/** Put `text` beside the field `name` of `form`; false when the form has no such field. */
export function showFieldError(form, name, text) {
  const field = form.elements[name];
  const control = field instanceof RadioNodeList ? field[0] : field;
  if (!control) return false;
  const id = `${form.id}-${name}-error`;
  const error = el("p", { class: "field-error", id, "data-for": name, text });
  // After the field's hint when it has one (hints follow their field), else after the field.
  const anchor = control.closest("label, .field, .color-row, fieldset, .hours-grid") || control;
  const hint = anchor.nextElementSibling?.classList.contains("hint") ? anchor.nextElementSibling : null;
  (hint || anchor).after(error);
  control.setAttribute("aria-invalid", "true");
  const described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  control.setAttribute("aria-describedby", [...described, id].join(" "));
  return true;
}

/**
 * Place an API error beside its field: by the error's code (`byCode`: code → field name), or by
 * the "field: what is wrong" shape of the settings API. True when it found its field.
 */
export function placeError(form, error, byCode = {}) {
  clearFieldErrors(form);
  const named = /^([a-z_]+): (.+)$/s.exec(error.message || "");
  if (named && form.elements[named[1]]) return showFieldError(form, named[1], inWords(named[2]));
  const name = byCode[error.code];
  return name ? showFieldError(form, name, inWords(error.message)) : false;
}
