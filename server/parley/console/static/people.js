// Who is who, the same everywhere in the console: a visitor's display name (their name, their
// email, or a generated name that stays the same for that visitor) and their avatar.

import { el } from "./dom.js";

const ADJECTIVES = [
  "Amber", "Azure", "Brisk", "Calm", "Coral", "Crimson", "Dapper", "Eager", "Gentle", "Golden",
  "Jade", "Keen", "Lively", "Lunar", "Mellow", "Misty", "Nimble", "Olive", "Plum", "Quiet",
  "Rosy", "Rusty", "Sage", "Silver", "Sunny", "Swift", "Teal", "Velvet",
];
const ANIMALS = [
  "Badger", "Beaver", "Bison", "Crane", "Dolphin", "Falcon", "Ferret", "Finch", "Fox", "Gecko",
  "Heron", "Ibis", "Koala", "Lark", "Lemur", "Lynx", "Marten", "Moose", "Otter", "Owl", "Panda",
  "Puffin", "Quail", "Raven", "Robin", "Seal", "Stoat", "Swan", "Tapir", "Walrus", "Wren", "Yak",
];
const AVATAR_COLOURS = 8; // .avatar[data-colour="0".."7"] in console.css

// FNV-1a: a stable number from an id, so a visitor keeps their generated name and colour.
function hash(text) {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

function generatedName(id) {
  const value = hash(id || "visitor");
  return `${ADJECTIVES[value % ADJECTIVES.length]} ${ANIMALS[Math.floor(value / ADJECTIVES.length) % ANIMALS.length]}`;
}

/** The visitor's name as the console shows it: name, email, or their generated name. */
export function visitorName(visitor = {}) {
  return visitor.name || visitor.email || generatedName(visitor.id);
}

function initials(name) {
  const words = name.replace(/@.*/, "").match(/[\p{L}\p{N}]+/gu) || [];
  const letters = words.length > 1 ? words[0][0] + words.at(-1)[0] : (words[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

/** A round avatar with the initials, coloured by the visitor's id; decorative (the name is beside it). */
export function avatar(visitor = {}, { size = "" } = {}) {
  const name = visitorName(visitor);
  return el("span", {
    class: `avatar${size ? ` avatar-${size}` : ""}`,
    "data-colour": String(hash(visitor.id || name) % AVATAR_COLOURS),
    "aria-hidden": "true",
    "data-initials": initials(name), // drawn by CSS, so the name beside it is the element's only text
  });
}

/** A message's author as people read it: the visitor's name, the agent's, "Bot", "Parley". */
export function authorName(message, visitor) {
  const author = message.author || {};
  if (author.kind === "visitor") return visitorName(visitor);
  if (author.kind === "system") return "Parley";
  if (author.kind === "bot") return author.name || "Bot";
  return author.name || "Agent";
}

/** Where the visitor is: the page's host and path, without the query (it may carry tokens). */
export function pageLabel(url) {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "";
  }
}
