// Keyboard shortcuts (j/k, e, /, ?) and the help overlay that documents them.

function typingInField(event) {
  const target = event.target;
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export function installShortcuts({ step, resolveActive }) {
  const help = document.getElementById("help");
  const showHelp = (open) => {
    help.hidden = !open;
    if (open) document.getElementById("help-close").focus();
  };
  document.getElementById("help-button").addEventListener("click", () => showHelp(true));
  document.getElementById("help-close").addEventListener("click", () => showHelp(false));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !help.hidden) {
      showHelp(false);
      return;
    }
    if (typingInField(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const actions = {
      j: () => step(1),
      k: () => step(-1),
      e: resolveActive,
      "/": () => document.getElementById("composer-text").focus(),
      "?": () => showHelp(true),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
}
