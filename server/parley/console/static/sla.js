// Service-level clocks in the inbox: each open conversation's time left to its first or next
// response (or how long overdue), refreshed from the server every 30 seconds and counted down
// in place every second; Queue, Mine and All open list the most urgent first.

import { el } from "./dom.js";
import { api } from "./http.js";

const REFRESH_MS = 30_000;
const SOON_SECONDS = 10 * 60;

function span(seconds) {
  const minutes = Math.floor(Math.abs(seconds) / 60);
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
  return `${Math.floor(minutes / 1440)}d`;
}

// Seconds left now: a paused clock (outside business hours) keeps what the server said.
function remaining(clock, now = Date.now()) {
  return clock.ticking ? (clock.due - now) / 1000 : clock.remaining_seconds;
}

function describe(clock) {
  const left = remaining(clock);
  const what = clock.kind === "first" ? "First response" : "Next response";
  const state = left > 0 ? `${span(left)} left` : `Overdue ${span(left)}`;
  return { text: state, label: `${what}: ${state}`, left };
}

function level(left) {
  return left <= 0 ? "sla-overdue" : left <= SOON_SECONDS ? "sla-soon" : "sla-ok";
}

export function slaBadge(clock) {
  if (!clock) return null;
  const { text, label, left } = describe(clock);
  const hours = clock.business_hours ? ", counted in business hours" : "";
  return el("span", {
    class: `sla ${level(left)}`,
    "data-sla": clock.conversation_id,
    text,
    "aria-label": label,
    title: `${label} (${clock.target}${hours})`,
  });
}

// Conversations with a running clock first, the least time left on top; then the tab's order.
export function byUrgency(state, fallback) {
  return (a, b) => {
    const clockA = state.sla?.get(a.id);
    const clockB = state.sla?.get(b.id);
    if (clockA && clockB) return remaining(clockA) - remaining(clockB);
    if (clockA || clockB) return clockA ? -1 : 1;
    return fallback(a, b);
  };
}

export function installSla(state, render) {
  state.sla = new Map();
  async function refresh() {
    try {
      const { clocks } = await api("GET", "/api/v1/quality/sla/clocks");
      const now = Date.now();
      state.sla = new Map(clocks.map((clock) => [clock.conversation_id, { ...clock, due: now + clock.remaining_seconds * 1000 }]));
      render();
    } catch {
      // a failed refresh keeps the last clocks; the next one tries again
    }
  }
  let soon = null;
  // A reply or a new message moves clocks: refresh once things settle (a replay is many frames).
  const refreshSoon = () => {
    soon ??= setTimeout(() => {
      soon = null;
      refresh();
    }, 1000);
  };
  refresh();
  setInterval(refresh, REFRESH_MS);
  setInterval(() => {
    for (const badge of document.querySelectorAll("[data-sla]")) {
      const clock = state.sla.get(badge.dataset.sla);
      if (!clock) continue;
      const { text, label, left } = describe(clock);
      badge.textContent = text;
      badge.setAttribute("aria-label", label);
      badge.className = `sla ${level(left)}`;
    }
  }, 1000);
  return refreshSoon;
}
