// The right column: who the visitor is, from the conversation's SUMMARY.

import { el, linkified } from "./dom.js";

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
    return;
  }
  const visitor = conversation.visitor || {};
  const name = el("span", { text: visitor.name || "Anonymous visitor" });
  const nameRow = visitor.verified
    ? el("span", {}, name, " ", el("span", { class: "badge verified", text: "Verified" }))
    : name;
  const attributes = Object.entries(visitor.attributes || {}).flatMap(([key, value]) =>
    entry(key, typeof value === "object" ? JSON.stringify(value) : value),
  );
  const rating = conversation.rating ? `${"★".repeat(conversation.rating)}${"☆".repeat(5 - conversation.rating)} (${conversation.rating}/5)` : null;
  details.replaceChildren(
    ...entry("Name", nameRow),
    ...entry("Email", visitor.email),
    ...entry("Page", visitor.page_url ? el("span", {}, linkified(visitor.page_url)) : null),
    ...entry("Referrer", visitor.referrer ? el("span", {}, linkified(visitor.referrer)) : null),
    ...entry("Browser", describeAgent(visitor.user_agent)),
    ...entry("Locale", visitor.locale),
    ...entry("Conversations", visitor.conversation_count),
    ...entry("Rating", rating ? el("span", { class: "rating", text: rating }) : null),
    ...attributes,
  );
}
