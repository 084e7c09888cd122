// The right column: who the visitor is, from the conversation's SUMMARY, and their earlier
// conversations (opened read-only on click).

import { clockTime, el, linkified } from "./dom.js";
import { api } from "./http.js";
import { previewText } from "./inbox.js";
import { avatar, visitorName } from "./people.js";

export function describeAgent(userAgent) {
  if (!userAgent) return null;
  const browsers = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
  const systems = [["Windows", "Windows"], ["Android", "Android"], ["iPhone", "iOS"], ["iPad", "iOS"], ["Mac OS X", "macOS"], ["CrOS", "ChromeOS"], ["Linux", "Linux"]];
  const browser = browsers.find(([token]) => userAgent.includes(token));
  const system = systems.find(([token]) => userAgent.includes(token));
  return `${browser ? browser[1] : "Unknown browser"} on ${system ? system[1] : "unknown OS"}`;
}

function entry(term, value) {
  if (value === null || value === undefined || value === "") return [];
  const node = value instanceof Node ? value : document.createTextNode(String(value));
  return [el("dt", { text: term }), el("dd", {}, node)];
}

export function renderContext(conversation) {
  const details = document.getElementById("visitor-details");
  document.getElementById("context-empty").hidden = !!conversation;
  if (!conversation) {
    details.replaceChildren();
    const section = document.getElementById("earlier");
    if (section) section.hidden = true;
    return;
  }
  const visitor = conversation.visitor || {};
  const name = el("span", { class: "person" }, avatar(visitor, { size: "large" }), el("span", { text: visitorName(visitor) }));
  const nameRow = visitor.verified
    ? el("span", {}, name, " ", el("span", { class: "badge verified", text: "Verified" }))
    : name;
  const attributes = Object.entries(visitor.attributes || {}).flatMap(([key, value]) =>
    entry(key, typeof value === "object" ? JSON.stringify(value) : value),
  );
  const rating = conversation.rating ? ratingText(conversation) : null;
  details.replaceChildren(
    ...entry("Name", nameRow),
    ...entry("Email", visitor.email),
    ...entry("Page", visitor.page_url ? el("span", {}, linkified(visitor.page_url)) : null),
    ...entry("Referrer", visitor.referrer ? el("span", {}, linkified(visitor.referrer)) : null),
    ...entry("Browser", describeAgent(visitor.user_agent)),
    ...entry("Locale", visitor.locale),
    ...entry("Conversations", visitor.conversation_count),
    ...entry("Rating", rating ? el("span", { class: "rating", text: rating }) : null),
    ...entry("Comment", conversation.rating_comment),
    ...entry("Local time", localTime(visitor.attributes?.timezone)),
    ...attributes,
  );
  renderEarlier(conversation).catch(() => {
    document.getElementById("earlier").hidden = true; // only context: the rest of the panel stands
  });
}

function ratingText(conversation) {
  return `${"★".repeat(conversation.rating)}${"☆".repeat(5 - conversation.rating)} (${conversation.rating}/5)`;
}

// The visitor's clock, when the site passed their time zone as an attribute.
function localTime(timezone) {
  if (!timezone) return null;
  try {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: String(timezone) });
  } catch {
    return null; // not a time zone name
  }
}

// --- earlier conversations ----------------------------------------------------------------

const earlier = { key: null, summaries: [], open: () => {} };

export function installEarlier(open) {
  earlier.open = open;
  const section = el(
    "section",
    { id: "earlier", class: "earlier", hidden: true, "aria-labelledby": "earlier-title" },
    el("h3", { id: "earlier-title", text: "Earlier conversations" }),
    el("ul", { id: "earlier-list", class: "earlier-list" }),
  );
  document.getElementById("visitor-details").after(section);
  section.addEventListener("click", (event) => {
    const item = event.target.closest("[data-earlier]");
    const summary = item && earlier.summaries.find((s) => s.id === item.dataset.earlier);
    if (summary) earlier.open(summary);
  });
}

// The same visitor's conversations, or, when an email is known, every conversation with it.
async function renderEarlier(conversation) {
  const section = document.getElementById("earlier");
  if (!section) return;
  const visitor = conversation.visitor || {};
  const params = new URLSearchParams(visitor.email ? { email: visitor.email } : { visitor: visitor.id });
  params.set("limit", "20");
  const key = `${conversation.id} ${params}`; // fresh for each conversation opened
  if (key !== earlier.key) {
    earlier.key = key;
    earlier.summaries = [];
    const found = await api("GET", `/api/v1/console/conversations?${params}`);
    if (earlier.key !== key) return; // another visitor was opened meanwhile
    earlier.summaries = found.conversations;
  }
  const others = earlier.summaries.filter((s) => s.id !== conversation.id);
  section.hidden = others.length === 0;
  document.getElementById("earlier-list").replaceChildren(
    ...others.map((s) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", class: "earlier-item", "data-earlier": s.id },
          el("span", { class: "earlier-when", text: `${new Date(s.created_at).toLocaleDateString()} ${clockTime(s.created_at)}` }),
          el("span", { class: "earlier-status", text: s.status === "resolved" ? (s.rating ? ratingText(s) : "Resolved") : "Open" }),
          el("span", { class: "earlier-preview", text: (s.last_message && previewText(s.last_message)) || "No messages" }),
          s.visitor?.id !== visitor.id ? el("span", { class: "earlier-note", text: "Same email, another visitor" }) : null,
        ),
      ),
    ),
  );
}
