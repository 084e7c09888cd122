/* The panel: a modal dialog holding three views (home/search, article, chat), its keyboard
 * behaviour (focus trap, Esc) and the navigation between views. The loader imports this and
 * the other panel modules in parallel and hands them over in ctx.modules, so modules never
 * import each other (every URL carries the release's ?v= hash).
 */

const FOCUSABLE = "a[href],button:not([disabled]),input:not([disabled]),textarea:not([disabled]),select,[tabindex]:not([tabindex='-1'])";
const PERSISTED_VIEWS = ["home", "chat"]; // an article is one click away: not worth restoring

export function mountPanel(ctx) {
  const { h, icon, icons, t, storage, modules } = ctx;
  const conn = modules.connection.createConnection(ctx);
  const back = h("button", { class: "icon-button", type: "button", "aria-label": t("back"), hidden: true, onclick: goBack }, icon(icons.back));
  const subtitle = h("p", { class: "subtitle", id: "parley-subtitle" });
  const dialog = h(
    "section",
    {
      class: "panel",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "parley-title",
      "aria-describedby": "parley-subtitle",
      hidden: true,
      onkeydown: onKeydown,
    },
    // A <div>, not a <header>: the host page has its own banner, the dialog needs none.
    h(
      "div",
      { class: "head" },
      back,
      ctx.config.logo ? h("img", { class: "logo", src: ctx.config.logo, alt: "" }) : null,
      h("div", { class: "heading" }, h("h2", { id: "parley-title" }, ctx.config.siteName || t("title")), subtitle),
      h("button", { class: "icon-button", type: "button", "aria-label": t("close"), onclick: close }, icon(icons.close)),
    ),
  );
  ctx.root.append(dialog);

  const env = { ...ctx, conn, navigate, setSubtitle, isShowing, dialog };
  const views = {
    home: modules.kb.createHomeView(env),
    article: modules.kb.createArticleView(env),
    chat: modules.chat.createChatView(env),
  };
  dialog.append(...Object.values(views).map((view) => view.el));
  let current = null;
  const trail = []; // where "back" goes

  function navigate(name, arg, { remember = true } = {}) {
    if (current && remember && current !== name) trail.push(current);
    if (name === "home") trail.length = 0;
    current = name;
    for (const [viewName, view] of Object.entries(views)) view.el.hidden = viewName !== name;
    back.hidden = name === "home"; // every other view leads back, at least to the search
    setSubtitle("");
    views[name].show(arg);
    if (PERSISTED_VIEWS.includes(name)) storage.update("state", { view: name });
    if (!dialog.hidden) views[name].focus();
  }

  function goBack() {
    navigate(trail.pop() || "home", undefined, { remember: false });
  }

  function setSubtitle(text) {
    subtitle.textContent = text;
  }

  /** Whether the visitor can see this view right now (for unread counts and read receipts). */
  function isShowing(name) {
    return !dialog.hidden && current === name && document.visibilityState === "visible";
  }

  function open({ focus = true } = {}) {
    // Choose the first view while still hidden, so that navigating does not move the focus.
    if (!current) navigate(storage.get("state", {}).view === "chat" && conn.conversationId ? "chat" : "home");
    dialog.hidden = false;
    storage.update("state", { open: true });
    views[current].shown?.();
    if (focus) views[current].focus();
  }

  function close() {
    if (dialog.hidden) return;
    dialog.hidden = true;
    storage.update("state", { open: false });
    ctx.onClosed();
  }

  function onKeydown(event) {
    if (event.key === "Escape") {
      event.stopPropagation();
      close();
    } else if (event.key === "Tab") {
      trapFocus(event);
    }
  }

  /** Tab and Shift+Tab cycle inside the dialog while it is open. */
  function trapFocus(event) {
    const focusable = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
    if (focusable.length === 0) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = ctx.shadow.activeElement;
    if (event.shiftKey && (active === first || !dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (current) views[current].shown?.();
  });
  conn.connect();
  return { open, close };
}
