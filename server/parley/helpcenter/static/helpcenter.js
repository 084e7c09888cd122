/* The help center's one script: show the "chat with us" buttons once the widget has loaded. */
addEventListener("load", () => {
  if (!window.Parley) return;
  for (const button of document.querySelectorAll("[data-parley-open]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.Parley.open());
  }
});
