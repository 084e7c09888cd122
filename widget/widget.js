/* Parley widget loader: <script src="https://support.example.com/widget.js" async></script>
 *
 * This file is all a host page downloads until the visitor opens the chat: the launcher, the
 * unread badge and the greeting. The panel's modules and styles are imported on first open,
 * or when the page becomes idle if a conversation is already going on. Everything renders
 * in a shadow root; the only global is `window.Parley`.
 */
(function () {
  "use strict";

  // The tag may be pasted twice (or a single-page app re-inserts it): one bubble only.
  if (window.Parley || !document.currentScript) return;

  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const VERSION = "__PARLEY_VERSION__"; // replaced by the server with the assets' hash
  const SITE = "__PARLEY_SITE__"; // replaced by the server with the admin's defaults (object)
  const LOCALES = ["en", "pl", "sl"];
  const DEFAULT_COLOR = "#1f5fd6";
  const PANEL_MODULES = ["panel", "connection", "kb", "chat", "messages", "attachments"];
  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    close: "M6 6l12 12M18 6 6 18",
    send: "M4 12 20 4l-6 16-3-7z",
    attach: "M21 11.5 12.5 20a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5",
    screen: "M3 5h18v11H3zM8 20h8M12 16v4",
    back: "M15 5l-7 7 7 7",
  };

  const config = {
    origin,
    version: VERSION,
    locale: pickLocale([script.dataset.locale, SITE.locale, ...(navigator.languages || [navigator.language])]),
    color: parseHexColor(script.dataset.color) || parseHexColor(SITE.color) || DEFAULT_COLOR,
    position: (script.dataset.position || SITE.position) === "left" ? "left" : "right",
    team: script.dataset.team || null,
    siteName: SITE.name || null, // the admin's: the panel's title instead of "Help"
    logo: SITE.logo || null,
  };

  /* ---------- small helpers shared with the panel modules (passed in, never global) ---------- */

  /** Storage that never throws: blocked or full localStorage must not break the widget. */
  const storage = {
    get(key, fallback = null) {
      try {
        const raw = localStorage.getItem("parley:" + key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch {
        return fallback;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem("parley:" + key, JSON.stringify(value));
      } catch {
        /* private mode or quota: the widget still works for this page view */
      }
    },
    update(key, changes) {
      const next = { ...storage.get(key, {}), ...changes };
      storage.set(key, next);
      return next;
    },
  };

  /** h("button", {class: "x", onclick: fn}, "text", child): DOM building without innerHTML. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (typeof value === "function") el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    el.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
    return el;
  }

  /** An inline SVG icon from one path's data (stroke-drawn, sized by CSS). */
  function icon(pathData) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", pathData);
    svg.append(path);
    return svg;
  }

  function pickLocale(candidates) {
    for (const candidate of candidates) {
      const primary = String(candidate || "").toLowerCase().split(/[-_]/)[0];
      if (LOCALES.includes(primary)) return primary;
    }
    return "en";
  }

  /** Only #rgb / #rrggbb: we need the channels to pick a readable text colour. */
  function parseHexColor(value) {
    const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value || "").trim());
    if (!match) return null;
    const hex = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
    return "#" + hex.toLowerCase();
  }

  /** White or near-black, whichever keeps WCAG AA contrast on the brand colour. */
  function readableOn(hex) {
    const channel = (i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    return 1.05 / (luminance + 0.05) >= 4.5 ? "#ffffff" : "#111418";
  }

  function assetUrl(name) {
    return `${origin}/widget/${name}?v=${VERSION}`;
  }

  function translator(strings, locale) {
    const plural = new Intl.PluralRules(locale);
    return function t(key, vars = {}) {
      let text = strings[key] ?? key;
      if (typeof text === "object") text = text[plural.select(vars.n ?? 0)] ?? text.other;
      return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
    };
  }

  /* ---------- the launcher ---------- */

  const LAUNCHER_CSS = `
:host{all:initial!important;position:fixed!important;inset:0 auto auto 0!important;width:0!important;height:0!important;
  display:block!important;z-index:2147483000!important;pointer-events:none!important;visibility:visible!important}
*,*::before,*::after{box-sizing:border-box}
.parley{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d2330;--brand:${config.color};--on-brand:${readableOn(config.color)};--edge:calc(20px + env(safe-area-inset-right,0px));
  --bottom:calc(20px + env(safe-area-inset-bottom,0px))}
.launcher,.greeting{position:fixed;bottom:var(--bottom);right:var(--edge);pointer-events:auto}
.parley[data-position=left] .launcher,.parley[data-position=left] .greeting{right:auto;left:calc(20px + env(safe-area-inset-left,0px))}
.launcher{width:60px;height:60px;border-radius:50%;border:0;padding:0;margin:0;cursor:pointer;display:grid;place-items:center;
  background:var(--brand);color:var(--on-brand);box-shadow:0 6px 20px rgba(0,0,0,.25);transition:transform .15s}
.launcher:hover{transform:scale(1.05)}
.launcher:focus-visible,.greeting button:focus-visible{outline:3px solid #111418;outline-offset:3px;box-shadow:0 0 0 6px #fff}
.launcher svg{width:28px;height:28px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c8102e;
  color:#fff;font:700 12px/22px system-ui,sans-serif;text-align:center}
.greeting{bottom:calc(var(--bottom) + 74px);max-width:260px;display:flex;gap:4px;align-items:flex-start;background:#fff;
  color:#1d2330;border-radius:14px;padding:4px;box-shadow:0 6px 24px rgba(0,0,0,.18)}
.greeting button{font:inherit;color:inherit;background:none;border:0;cursor:pointer;border-radius:10px;min-height:44px}
.greeting .say{padding:8px 10px;text-align:start}
.greeting .dismiss{min-width:44px;font-size:20px;line-height:1;color:#4a5161}
.greeting .say strong{display:block}
.greeting .say span{display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}
[hidden]{display:none!important}
@media (max-width:599px){.greeting{max-width:min(260px,calc(100vw - 40px));bottom:calc(var(--bottom) + 70px)}
  .greeting:not(.preview) .say{max-height:4.5em;overflow:hidden}}
@media (prefers-color-scheme:dark){.greeting{background:#1d212b;color:#e7e9ee;box-shadow:0 6px 24px rgba(0,0,0,.5)}
  .greeting .dismiss{color:#b4bac6}.launcher:focus-visible,.greeting button:focus-visible{outline-color:#fff;box-shadow:0 0 0 6px #111418}}
@media (prefers-reduced-motion:reduce){.launcher{transition:none}}`;

  let t = null; // the translator, once the locale's strings have arrived
  let panel = null; // the loaded panel, once opened or preloaded
  let panelLoading = null;
  const host = document.createElement("parley-widget");
  const shadow = host.attachShadow({ mode: "open" });
  const root = h("div", { class: "parley", "data-position": config.position });
  const badge = h("span", { class: "badge", "aria-hidden": "true", hidden: true });
  const launcher = h("button", { class: "launcher", type: "button", "aria-expanded": "false", onclick: toggle }, icon(ICONS.chat), badge);
  let greeting = null; // the greeting, or the preview of an agent's reply, beside the launcher
  let flashing = null; // {timer, title} while the page title flashes for an unread reply

  function setUnread(count) {
    storage.update("state", { unread: count });
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count === 0;
    labelLauncher();
  }

  function labelLauncher() {
    const open = launcher.getAttribute("aria-expanded") === "true";
    const unread = storage.get("state", {}).unread || 0;
    let label = open ? t("close_chat") : t("open_chat");
    if (!open && unread > 0) label += " – " + t("unread", { n: unread });
    launcher.setAttribute("aria-label", label);
  }

  function showGreeting() {
    const state = storage.get("state", {});
    if (storage.get("greeting_dismissed") || state.conversation_id || state.open) return;
    greeting = h(
      "div",
      { class: "greeting" },
      h("button", { class: "say", type: "button", onclick: () => open() }, SITE["greeting_" + config.locale] || SITE.greeting || t("greeting")),
      h("button", { class: "dismiss", type: "button", "aria-label": t("dismiss"), onclick: dismissGreeting }, "×"),
    );
    root.prepend(greeting); // before the launcher: read (and tabbed to) first
  }

  function dismissGreeting() {
    storage.set("greeting_dismissed", true);
    if (greeting) greeting.remove();
    greeting = null;
  }

  /** An agent wrote while the panel is closed (or the tab hidden): a preview beside the
   *  launcher and the page title flashing, as well as the badge. Opening clears both. */
  function notify({ name, text }) {
    if (launcher.getAttribute("aria-expanded") !== "true") {
      if (greeting) greeting.remove();
      greeting = h(
        "div",
        { class: "greeting preview" },
        h("button", { class: "say", type: "button", onclick: () => open() }, h("strong", null, name), h("span", null, text)),
        h("button", { class: "dismiss", type: "button", "aria-label": t("dismiss"), onclick: clearNotice }, "×"),
      );
      root.prepend(greeting);
    }
    if (!flashing) flashTitle(t("new_message", { name }));
  }

  function flashTitle(alert) {
    const title = document.title;
    let on = false;
    const flip = () => {
      on = !on;
      document.title = on ? alert : title;
    };
    flip();
    flashing = { title, timer: setInterval(flip, 1500) };
  }

  function clearNotice() {
    if (greeting && greeting.classList.contains("preview")) {
      greeting.remove();
      greeting = null;
    }
    if (flashing) {
      clearInterval(flashing.timer);
      document.title = flashing.title;
      flashing = null;
    }
  }

  /* ---------- the panel, loaded on demand ---------- */

  function loadStyles() {
    return new Promise((resolve, reject) => {
      const link = h("link", { rel: "stylesheet", href: assetUrl("panel.css") });
      link.onload = resolve;
      link.onerror = () => reject(new Error("panel.css failed to load"));
      shadow.append(link);
    });
  }

  function loadPanel() {
    panelLoading ??= (async () => {
      const [modules] = await Promise.all([
        Promise.all(PANEL_MODULES.map((name) => import(assetUrl(name + ".js")))),
        loadStyles(),
      ]);
      const byName = Object.fromEntries(PANEL_MODULES.map((name, i) => [name, modules[i]]));
      panel = byName.panel.mountPanel({
        config, storage, h, icon, icons: ICONS, t, root, shadow, modules: byName,
        setUnread, notify, clearNotice, onClosed: panelClosed,
      });
      return panel;
    })().catch((error) => {
      panelLoading = null; // let the next click try again
      throw error;
    });
    return panelLoading;
  }

  async function open({ focus = true } = {}) {
    await started; // Parley.open() may be called before the strings have arrived
    clearNotice();
    dismissGreeting();
    launcher.setAttribute("aria-busy", "true");
    try {
      (await loadPanel()).open({ focus });
      launcher.setAttribute("aria-expanded", "true");
      launcher.replaceChildren(icon(ICONS.close), badge);
      labelLauncher();
    } finally {
      launcher.removeAttribute("aria-busy");
    }
  }

  function close() {
    if (panel) panel.close();
  }

  /** The panel reports it closed (Esc, its close button, Parley.close()). */
  function panelClosed() {
    launcher.setAttribute("aria-expanded", "false");
    launcher.replaceChildren(icon(ICONS.chat), badge);
    labelLauncher();
    launcher.focus();
  }

  function toggle() {
    if (launcher.getAttribute("aria-expanded") === "true") close();
    else open();
  }

  function whenIdle(work, timeout = 3000) {
    if ("requestIdleCallback" in window) requestIdleCallback(work, { timeout });
    else setTimeout(work, Math.min(timeout, 1000));
  }

  /** Draw the bubble once the page has loaded and the browser is idle: the host page's own
   *  work comes first, so the widget adds no long task to its start (Lighthouse's TBT). The
   *  strings download meanwhile. */
  async function start() {
    const strings = import(assetUrl(`locales/${config.locale}.js`));
    await new Promise((resolve) => {
      const idle = () => whenIdle(resolve, 2000);
      if (document.readyState === "complete") idle();
      else addEventListener("load", idle, { once: true });
    });
    t = translator((await strings).default, config.locale);
    root.append(launcher);
    shadow.append(h("style", null, LAUNCHER_CSS), root);
    document.body.append(host);
    setUnread(storage.get("state", {}).unread || 0);
    showGreeting();
    // Coming back to an open conversation: reopen the panel, or connect quietly for the badge.
    const state = storage.get("state", {});
    // A mail's "Continue the conversation" link lands on the page with #parley-chat.
    if (location.hash === "#parley-chat") open();
    else if (state.open) open({ focus: false });
    else if (state.conversation_id) whenIdle(() => loadPanel().catch(() => {}));
  }

  /** Parley.identify({user_id, user_hash, name, email, attributes}): the host's signed-in user
   *  (user_hash = HMAC-SHA256 of user_id with the site's identity secret); null forgets them.
   *  Taken at once: the server hears it as soon as the browser is idle (connection.js's
   *  sendIdentity), whether or not the chat was opened; call it again when something changes. */
  function identify(profile) {
    const keep = {};
    for (const key of ["user_id", "user_hash", "name", "email"]) {
      if (typeof profile?.[key] === "string") keep[key] = profile[key];
    }
    if (profile?.attributes && typeof profile.attributes === "object") keep.attributes = { ...profile.attributes };
    storage.set("identity", profile ? keep : null);
    if (profile) {
      whenIdle(() => import(assetUrl("connection.js")).then((m) => m.sendIdentity({ config, storage })).catch(() => {}), 500);
    }
  }

  window.Parley = Object.freeze({ version: VERSION, open: () => open(), close, toggle, identify });
  window.dispatchEvent(new Event("parley:ready"));

  const started = start();
})();
