// The admin page's Mail section: the outbox, newest first, with each mail's words on demand.
// With no PARLEY_SMTP_URL the mails are held here: this is what Parley would have sent.

import { el } from "./dom.js";
import { api } from "./http.js";

export function installMailAdmin({ say }) {
  const rows = document.getElementById("mail-rows");
  const filter = document.getElementById("mail-status");
  const state = document.getElementById("mail-state");
  const shown = document.getElementById("mail-shown");

  async function load() {
    try {
      const query = filter.value ? `?status=${encodeURIComponent(filter.value)}` : "";
      const { configured, counts, mails } = await api("GET", `/api/v1/console/admin/mail${query}`);
      const tally = Object.entries(counts).map(([status, n]) => `${n} ${status}`).join(", ") || "no mail yet";
      state.textContent = (configured ? "Sending through PARLEY_SMTP_URL. " : "No PARLEY_SMTP_URL: mails are held here. ") + tally + ".";
      rows.replaceChildren(...mails.map(row));
      if (!mails.length) rows.append(el("tr", {}, el("td", { colSpan: 6, class: "hint", text: "Nothing here." })));
    } catch (error) {
      say(error.message, true);
    }
  }

  async function open(mail) {
    try {
      const full = await api("GET", `/api/v1/console/admin/mail/${encodeURIComponent(mail.id)}`);
      shown.replaceChildren(
        el("h2", { text: full.subject || full.kind }),
        el("p", { class: "hint", text: `To ${full.recipient || "?"} · Reply-To ${full.reply_to || "none"}` }),
        el("pre", { class: "snippet", text: full.text_body || "(not composed yet)" }),
      );
    } catch (error) {
      say(error.message, true);
    }
  }

  function row(mail) {
    const view = el("button", { type: "button", text: "Read", "aria-label": `Read mail to ${mail.recipient || "?"}` });
    view.addEventListener("click", () => open(mail));
    return el("tr", { "data-mail": mail.id },
      el("td", { text: new Date(mail.created_at).toLocaleString() }),
      el("td", { text: mail.kind }),
      el("td", { text: mail.recipient || "" }),
      el("td", { text: mail.subject || "" }),
      el("td", { text: mail.status, title: mail.last_error || "" }),
      el("td", { class: "actions" }, view),
    );
  }

  document.getElementById("mail-test").addEventListener("click", async () => {
    try {
      const { recipient } = await api("POST", "/api/v1/console/admin/mail/test");
      say(`A test mail to ${recipient} is in the outbox.`);
      setTimeout(load, 1500);
    } catch (error) {
      say(error.message, true);
    }
  });
  filter.addEventListener("change", load);
  load();
}
