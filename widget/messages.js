/* The message log: one element per message, rendered as text (links built with DOM APIs),
 * each server message once per seq, the visitor's own messages pending until acked.
 */

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]'"]+$/;
// "Reset your password: https://help.example/help/articles/reset-password" (or the URL alone)
const ARTICLE_LINE = /^(?:(.+?):\s+)?(https?:\/\/\S+)$/;
const ARTICLE_URL_PATH = /^\/help\/articles\/(.+)$/;

export function createMessageLog(env) {
  const { h, t, config } = env;
  const clock = new Intl.DateTimeFormat(config.locale, { hour: "2-digit", minute: "2-digit" });
  const el = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t("messages_label"), tabindex: "0" });
  const bySeq = new Map();
  const byClientId = new Map();
  let agentReadSeq = 0;
  let pinned = true; // the visitor is at the newest message: keep them there as the log grows

  el.addEventListener("scroll", () => {
    pinned = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  });
  // Images arrive after their message (fetched with the visitor's token): a log that was at its
  // newest message stays there, on a reload as much as live.
  el.addEventListener("load", () => pinned && scrollToEnd(), true);

  /** A message from the server; the visitor's own message from this or another tab included. */
  function add(message) {
    const own = message.author.kind === "visitor";
    const pending = message.client_id && byClientId.get(message.client_id);
    if (pending) return confirm(message.client_id, message.seq);
    const item = render({
      kind: message.author.kind,
      name: own ? t("you") : message.author.name || t("agent_fallback"),
      text: message.text,
      attachments: message.attachments || [],
      createdAt: message.created_at,
    });
    item.dataset.seq = message.seq;
    bySeq.set(message.seq, item);
    if (own && message.client_id) byClientId.set(message.client_id, item);
    insertInOrder(item, message.seq);
    if (own) refreshReceipts();
  }

  /** The visitor's message before the server has stored it. */
  function addPending(outgoing, previews = []) {
    const item = render({
      kind: "visitor",
      name: t("you"),
      text: outgoing.text,
      attachments: previews,
      createdAt: outgoing.created_at,
    });
    item.classList.add("pending");
    item.querySelector(".receipt").textContent = t("sending");
    byClientId.set(outgoing.client_id, item);
    el.append(item);
    scrollToEnd();
  }

  function confirm(clientId, seq) {
    const item = byClientId.get(clientId);
    if (!item || bySeq.has(seq)) return;
    item.classList.remove("pending");
    item.dataset.seq = seq;
    bySeq.set(seq, item);
    refreshReceipts();
  }

  function fail(clientId) {
    const item = byClientId.get(clientId);
    if (!item) return;
    item.classList.replace("pending", "failed");
    item.querySelector(".receipt").textContent = t("not_sent");
  }

  /** "Seen" under the visitor's latest message the agent has read, and nowhere else. */
  function markRead(seq) {
    agentReadSeq = Math.max(agentReadSeq, seq);
    refreshReceipts();
  }

  function refreshReceipts() {
    let latestRead = null;
    for (const item of el.querySelectorAll(".msg.from-visitor:not(.pending):not(.failed)")) {
      item.querySelector(".receipt").textContent = "";
      if (Number(item.dataset.seq) <= agentReadSeq) latestRead = item;
    }
    if (latestRead) latestRead.querySelector(".receipt").textContent = t("seen");
  }

  function render({ kind, name, text, attachments, createdAt }) {
    const time = new Date(createdAt);
    const shared = kind === "agent" || kind === "bot" ? sharedArticles(text) : { text, cards: [] };
    return h(
      "div",
      { class: `msg from-${kind}` },
      kind === "system"
        ? null
        : h("div", { class: "meta" }, h("span", { class: "author" }, name), " ", h("time", { datetime: time.toISOString() }, clock.format(time))),
      shared.text ? h("div", { class: "bubble" }, linkify(h, shared.text)) : null,
      shared.cards.length ? h("div", { class: "shared" }, shared.cards) : null,
      attachments.length ? h("div", { class: "attachments" }, attachments.map((item) => env.modules.attachments.attachmentView(env, item))) : null,
      kind === "visitor" ? h("div", { class: "receipt", "aria-live": "off" }) : null,
    );
  }

  /** An agent's "Title: https://…/help/articles/slug" line becomes a card (title, summary,
   *  opens here) instead of a bare URL; the rest of the text stays as written. */
  function sharedArticles(text) {
    const cards = [];
    const kept = [];
    for (const line of (text || "").split("\n")) {
      const match = ARTICLE_LINE.exec(line.trim());
      const url = match && new URL(match[2]);
      const slug = url && url.origin === config.origin && ARTICLE_URL_PATH.exec(url.pathname);
      if (!slug) {
        kept.push(line);
        continue;
      }
      cards.push(articleCard(decodeURIComponent(slug[1]), (match[1] || "").trim()));
    }
    return { text: kept.join("\n").trim(), cards };
  }

  function articleCard(slug, title) {
    const card = env.modules.kb.resultButton(env, { slug, title: title || slug });
    card.classList.add("article-card");
    env.conn
      .api(`/api/v1/kb/articles/${encodeURIComponent(slug)}`)
      .then((article) => card.replaceWith(Object.assign(env.modules.kb.resultButton(env, article), { className: "result article-card" })))
      .catch(() => {}); // the title alone still opens it
    return card;
  }

  /** Replayed history may arrive after newer live messages: keep the log in seq order. */
  function insertInOrder(item, seq) {
    const later = [...bySeq.entries()].filter(([other]) => other > seq).sort(([a], [b]) => a - b)[0];
    if (later && later[1] !== item && later[1].isConnected) el.insertBefore(item, later[1]);
    else el.append(item);
    scrollToEnd();
  }

  /** Anything that is not a message but belongs to the flow: suggestions, notes. */
  function addBlock(block) {
    el.append(block);
    scrollToEnd();
  }

  function scrollToEnd() {
    el.scrollTop = el.scrollHeight;
    pinned = true;
  }

  function clear() {
    el.replaceChildren();
    bySeq.clear();
    byClientId.clear();
    agentReadSeq = 0;
  }

  return { el, add, addPending, confirm, fail, markRead, addBlock, clear, scrollToEnd };
}

/** Text with its URLs turned into links, built with DOM APIs: user text is never parsed as HTML. */
export function linkify(h, text) {
  const fragment = document.createDocumentFragment();
  let from = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, "");
    fragment.append(text.slice(from, match.index), h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url));
    from = match.index + url.length;
  }
  fragment.append(text.slice(from));
  return fragment;
}
