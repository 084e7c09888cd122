// "Your account" (the agent's name in the top bar): change one's own password. The server ends
// every session of the agent, this tab's socket included; its answer carries this browser's new
// session (a cookie) and CSRF token, and the socket reconnects with them instead of signing out.

import { api, setCsrfToken } from "./http.js";

export function installAccount(socket) {
  const byId = (id) => document.getElementById(id);
  const [dialog, button, form, error, done] = ["account", "account-button", "password-form", "password-error", "password-done"].map(byId);
  const [current, fresh, repeat] = ["current-password", "new-password", "repeat-password"].map(byId);

  function show(open) {
    dialog.hidden = !open;
    error.textContent = "";
    done.textContent = "";
    form.reset();
    (open ? current : button).focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    done.textContent = "";
    if (fresh.value !== repeat.value) {
      error.textContent = "The new passwords differ.";
      repeat.focus();
      return;
    }
    const change = api("PUT", "/api/v1/console/me/password", { current_password: current.value, new_password: fresh.value });
    socket.renewing(change);
    try {
      setCsrfToken((await change).csrf_token);
      form.reset();
      done.textContent = "Password changed. Your other sessions were signed out.";
    } catch (failure) {
      error.textContent = failure.message;
      current.focus();
    }
  });
  const mailMe = byId("mail-me");
  mailMe.addEventListener("change", async () => {
    try {
      mailMe.checked = (await api("PUT", "/api/v1/console/me/mail", { enabled: mailMe.checked })).enabled;
    } catch (failure) {
      error.textContent = failure.message;
      mailMe.checked = !mailMe.checked;
    }
  });
  button.addEventListener("click", async () => {
    show(true);
    mailMe.checked = (await api("GET", "/api/v1/console/me/mail")).enabled;
  });
  byId("account-close").addEventListener("click", () => show(false));
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      show(false);
    }
  });
}
