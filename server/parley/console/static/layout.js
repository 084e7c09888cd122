// How the console fits its screen: the top bar's actions fold into a menu on narrower screens,
// the visitor panel becomes a drawer, and at tablet width one pane shows at a time (the list,
// or the open conversation with a way back). The breakpoints themselves live in console.css;
// this module only keeps the toggles' state and their ARIA in step.

export function installLayout(state, render) {
  const bar = document.querySelector(".topbar");
  const menuButton = document.getElementById("menu-button");
  const contextToggle = document.getElementById("context-toggle");
  const root = document.getElementById("console");

  function setMenu(open) {
    bar.classList.toggle("menu-open", open);
    menuButton.setAttribute("aria-expanded", String(open));
  }
  function setContext(open) {
    root.classList.toggle("context-open", open);
    contextToggle.setAttribute("aria-expanded", String(open));
  }

  menuButton.addEventListener("click", () => setMenu(!bar.classList.contains("menu-open")));
  // Choosing something in the menu, or clicking elsewhere, folds it again.
  document.addEventListener("click", (event) => {
    if (!bar.classList.contains("menu-open") || event.target.closest("#menu-button")) return;
    if (!event.target.closest("#topbar-menu") || event.target.closest("button, a")) setMenu(false);
  });
  contextToggle.addEventListener("click", () => setContext(!root.classList.contains("context-open")));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (bar.classList.contains("menu-open")) {
      setMenu(false);
      menuButton.focus();
    } else if (root.classList.contains("context-open")) {
      setContext(false);
      contextToggle.focus();
    }
  });
  document.getElementById("back-to-inbox").addEventListener("click", () => {
    state.showList = true;
    render();
    document.querySelector(`[data-id="${state.activeId}"]`)?.focus();
  });
}

/** Which pane a one-pane screen shows: the list, or the conversation just opened. */
export function renderLayout(state) {
  const root = document.getElementById("console");
  root.dataset.view = state.activeId && !state.showList ? "thread" : "inbox";
}
