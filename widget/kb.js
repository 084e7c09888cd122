/* Answers first: the home view (search as you type, popular articles, "Ask") and the article
 * view (the article rendered inside the widget, "Was this helpful?").
 */

const SEARCH_DELAY_MS = 150;
const RESULT_LIMIT = 5;
const ARTICLE_PATH = /^\/help\/articles\/([^/?#]+)$/;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const FEW_MINUTES_S = 300;
const FACE_HUES = 6; // .face.hue-0 … hue-5 in widget.css

export function createHomeView(env) {
  const { h, t, conn, config } = env;
  let timer = null;
  let inflight = null; // AbortController of the search still running, if any
  let searchId = null; // the server's id of the last search: typing on refines it, a click credits it
  const input = h("input", {
    type: "search",
    class: "search",
    placeholder: t("search_placeholder"),
    "aria-label": t("search_placeholder"),
    autocomplete: "off",
    enterkeyhint: "send",
    oninput: () => {
      clearTimeout(timer);
      timer = setTimeout(search, SEARCH_DELAY_MS);
    },
  });
  const resume = h("button", { class: "resume", type: "button", hidden: true, onclick: () => env.navigate("chat") }, t("continue_chat"));
  const team = teamCard(env);
  const heading = h("h3", { class: "section-title", id: "parley-results-title", hidden: true });
  const status = h("p", { class: "note", role: "status" });
  const list = h("ul", { class: "results", "aria-labelledby": "parley-results-title" });
  const el = h(
    "div",
    { class: "view home" },
    h(
      "form",
      { class: "search-row", role: "search", onsubmit: ask },
      input,
      h("button", { class: "primary", type: "submit" }, t("ask")),
    ),
    resume,
    team,
    heading,
    status,
    list,
  );

  function ask(event) {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return input.focus();
    input.value = "";
    env.navigate("chat", { ask: question });
  }

  async function search() {
    const query = input.value.trim();
    inflight?.abort(); // a slower answer to an older query must never overwrite a newer one
    inflight = new AbortController();
    const signal = inflight.signal;
    if (!query) searchId = null; // an emptied box starts a new search session
    const params = new URLSearchParams({ limit: RESULT_LIMIT, locale: config.locale });
    if (query) {
      params.set("q", query);
      params.set("source", "widget");
      if (searchId) params.set("refines", searchId);
    }
    const path = `/api/v1/kb/${query ? "search" : "popular"}?${params}`;
    try {
      const found = await conn.api(path, { signal });
      if (query) searchId = found.search_id || null;
      showResults(query ? t("results") : t("popular"), found.results, query && found.suggestion);
      if (query && found.results.length === 0) status.textContent = t("no_results");
    } catch (error) {
      if (signal.aborted) return;
      showResults("", []);
      if (query) status.textContent = t("search_failed");
    }
  }

  function showResults(title, results, suggestion) {
    heading.textContent = title;
    heading.hidden = results.length === 0;
    status.replaceChildren();
    if (suggestion) {
      status.append(
        h("button", { class: "link", type: "button", onclick: () => retry(suggestion) }, t("did_you_mean", { q: suggestion })),
      );
    }
    const credit = (result) => searchId && conn.api("/api/v1/kb/searches/click", {
      method: "POST",
      body: { slug: result.slug, search_id: searchId },
    }).catch(() => {});
    list.replaceChildren(...results.map((result) => h("li", null, resultButton(env, result, credit))));
  }

  function retry(query) {
    input.value = query;
    search();
    input.focus();
  }

  // A conversation may turn up after the view is shown: a signed-in user on a new browser.
  conn.on("welcome", () => {
    resume.hidden = !conn.conversationId;
  });

  return {
    el,
    show() {
      resume.hidden = !conn.conversationId;
      search();
    },
    focus: () => input.focus(),
  };
}

/** Who answers and when: online or away, the usual reply time, the business hours in the
 *  visitor's own time zone, and "Message us". Filled in when the server welcomes us. */
function teamCard(env) {
  const { h, t, conn, config } = env;
  const dot = h("span", { class: "dot", "aria-hidden": "true" });
  const status = h("span", null, "");
  const hours = h("p", { class: "note hours" });
  const faces = h("span", { class: "faces", role: "img", hidden: true });
  const card = h(
    "div",
    { class: "card team", hidden: true },
    h("div", { class: "team-text" }, faces, h("p", { class: "availability" }, dot, status), hours),
    h("button", { class: "primary", type: "button", onclick: () => env.navigate("chat") }, t("message_us")),
  );
  conn.on("welcome", (frame) => {
    const online = frame.agents_online > 0;
    dot.classList.toggle("online", online);
    if (!online) status.textContent = t("away_now");
    else if ((frame.expected_wait_s ?? 0) <= FEW_MINUTES_S) status.textContent = t("reply_few_minutes");
    else status.textContent = t("reply_minutes", { n: Math.round(frame.expected_wait_s / 60) });
    const spelled = frame.business_hours && localHours(frame.business_hours, config.locale);
    hours.textContent = spelled ? t("hours_local", { hours: spelled }) : "";
    const names = (frame.agents || []).map((agent) => agent.name);
    faces.replaceChildren(...names.map((name) => face(h, name)));
    faces.setAttribute("aria-label", names.join(", "));
    faces.hidden = names.length === 0;
    card.hidden = false;
  });
  return card;
}

/** An agent as a circle with their initials, in a colour that stays theirs. */
function face(h, name) {
  const initials = name.split(/\s+/).filter(Boolean).slice(0, 2).map((part) => [...part][0].toUpperCase()).join("");
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return h("span", { class: `face hue-${hash % FACE_HUES}`, title: name, "aria-hidden": "true" }, initials);
}

/** "mon-fri 09:00-17:00; sat 10:00-14:00" in the site's zone → "Mon–Fri 10:00–18:00, Sat …" in
 *  the visitor's (today's offsets; a window that crosses midnight keeps its days). */
export function localHours({ hours, timezone }, locale) {
  let shift = 0;
  try {
    const now = new Date();
    shift = zoneOffsetMinutes(timezone, now) - zoneOffsetMinutes(Intl.DateTimeFormat().resolvedOptions().timeZone, now);
  } catch {
    return null; // an unknown zone: better nothing than wrong hours
  }
  const dayName = (i) => new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2026, 0, 5 + i)));
  const clock = new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone: "UTC" });
  const at = (hhmm) => {
    const [hour, minute] = hhmm.split(":").map(Number);
    const minutes = (((hour * 60 + minute - shift) % 1440) + 1440) % 1440;
    return clock.format(new Date(Date.UTC(2026, 0, 5, 0, minutes)));
  };
  const parts = [];
  for (const window of String(hours).split(";")) {
    const match = /^\s*([a-z,\- ]+?)\s+(\d{1,2}:\d{2})-(\d{1,2}:\d{2})\s*$/i.exec(window);
    if (!match) continue;
    const days = match[1].split(",").map((span) => span.trim().toLowerCase().split("-").map((d) => DAYS.indexOf(d.trim())));
    if (days.some((span) => span.some((i) => i < 0))) continue;
    const named = days.map(([first, last]) => (last === undefined ? dayName(first) : `${dayName(first)}–${dayName(last)}`)).join(", ");
    parts.push(`${named} ${at(match[2])}–${at(match[3])}`);
  }
  return parts.join("; ") || null;
}

/** Minutes a time zone is ahead of UTC at a moment (Intl knows every zone; no library). */
function zoneOffsetMinutes(timeZone, at) {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
  });
  const part = Object.fromEntries(format.formatToParts(at).map(({ type, value }) => [type, Number(value)]));
  const asUtc = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute);
  return Math.round((asUtc - Math.floor(at.getTime() / 60000) * 60000) / 60000);
}

/** A search result, popular article or suggestion: a button that opens the article here. */
export function resultButton(env, result, onOpen) {
  const { h } = env;
  const open = () => {
    onOpen?.(result);
    env.navigate("article", result.slug);
  };
  const excerpt = result.snippet_html ? snippetFragment(h, result.snippet_html) : result.summary;
  return h(
    "button",
    { class: "result", type: "button", onclick: open },
    h("span", { class: "result-title" }, result.title),
    excerpt ? h("span", { class: "snippet" }, excerpt) : null,
  );
}

export function createArticleView(env) {
  const { h, t, conn, config } = env;
  let slug = null;
  const title = h("h3", { class: "article-title", tabindex: "-1" });
  const body = h("div", { class: "article-body", onclick: openArticleLinksHere });
  const feedback = h("div", { class: "feedback", role: "group", "aria-label": t("helpful") });
  const el = h(
    "article",
    { class: "view article" },
    title,
    body,
    feedback,
    h("button", { class: "secondary", type: "button", onclick: () => env.navigate("chat") }, t("still_need_help")),
  );

  async function load(wanted) {
    slug = wanted;
    title.textContent = t("loading");
    body.replaceChildren();
    feedback.hidden = true;
    try {
      const article = await conn.api(`/api/v1/kb/articles/${encodeURIComponent(wanted)}`);
      if (slug !== wanted) return; // the visitor already moved on to another article
      title.textContent = article.title;
      body.replaceChildren(articleFragment(article.html, config.origin));
      // The article's own <h1> repeats the title we already show (and focus) above it.
      const heading = body.querySelector("h1");
      if (heading && heading.textContent.trim() === article.title.trim()) heading.remove();
      askFeedback();
    } catch {
      if (slug === wanted) title.textContent = t("article_failed");
    }
  }

  function askFeedback() {
    const answer = (helpful) => async () => {
      feedback.replaceChildren(h("p", { role: "status" }, t("thanks_feedback")));
      await conn.api(`/api/v1/kb/articles/${encodeURIComponent(slug)}/feedback`, { method: "POST", body: { helpful } }).catch(() => {});
    };
    feedback.replaceChildren(
      h("span", null, t("helpful")),
      h("button", { class: "secondary", type: "button", onclick: answer(true) }, t("yes")),
      h("button", { class: "secondary", type: "button", onclick: answer(false) }, t("no")),
    );
    feedback.hidden = false;
  }

  /** Links between articles stay inside the widget; everything else opens a new tab. */
  function openArticleLinksHere(event) {
    const link = event.target.closest("a[href]");
    if (!link) return;
    const url = new URL(link.href);
    const match = url.origin === config.origin && ARTICLE_PATH.exec(url.pathname);
    if (match) {
      event.preventDefault();
      env.navigate("article", decodeURIComponent(match[1]));
    }
  }

  return { el, show: load, focus: () => title.focus() };
}

/** Search snippets may only carry <mark>: everything else becomes text. */
function snippetFragment(h, html) {
  const template = document.createElement("template");
  template.innerHTML = html; // template content is inert: nothing in it runs or loads
  const fragment = document.createDocumentFragment();
  for (const node of template.content.childNodes) {
    fragment.append(node.nodeName === "MARK" ? h("mark", null, node.textContent) : node.textContent);
  }
  return fragment;
}

/** The server sanitizes article HTML; this is a second, independent line of defence, and it
 * makes relative links and images point at the Parley server rather than the host page. */
function articleFragment(html, origin) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const content = template.content;
  for (const el of content.querySelectorAll("script,style,link,meta,base,iframe,object,embed,form")) el.remove();
  for (const el of content.querySelectorAll("*")) {
    for (const { name, value } of [...el.attributes]) {
      const isUrl = name === "href" || name === "src";
      if (name.startsWith("on") || name === "style" || (isUrl && /^\s*(javascript|vbscript|data):/i.test(value))) {
        el.removeAttribute(name);
      } else if (isUrl) {
        el.setAttribute(name, new URL(value, origin).href);
      }
    }
    if (el.localName === "a") {
      el.setAttribute("target", "_blank");
      el.setAttribute("rel", "noopener noreferrer");
    }
  }
  return content;
}
