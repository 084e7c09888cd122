// The agent WebSocket: same-origin cookie auth, automatic reconnect resuming from last seqs.

import { setCsrfToken } from "./http.js";

const RENEWAL_WAIT_MS = 1500; // the changing tab's answer (with the new cookie) may come later

// Another tab of this browser changed the password: the browser's cookie is then a new session
// that still opens the console. Take that page's CSRF token (bound to the new session) and go on.
async function renewedElsewhere() {
  for (const wait of [0, RENEWAL_WAIT_MS]) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    const response = await fetch("/console", { credentials: "same-origin", redirect: "manual" }).catch(() => null);
    if (response?.status !== 200) continue;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const token = page.querySelector('meta[name="csrf-token"]')?.content;
    if (token) {
      setCsrfToken(token);
      return true;
    }
  }
  return false;
}

export class AgentSocket {
  constructor({ onFrame, onState, lastSeqs }) {
    this.onFrame = onFrame;
    this.onState = onState;
    this.lastSeqs = lastSeqs;
    this.queue = [];
    this.retry = 500;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws/agent`);
    this.ws = ws;
    this.onState("Connecting…");
    ws.addEventListener("open", () => {
      this.retry = 500;
      ws.send(JSON.stringify({ type: "hello", last_seqs: this.lastSeqs() }));
      for (const frame of this.queue.splice(0)) ws.send(JSON.stringify(frame));
      this.onState("Connected");
    });
    ws.addEventListener("message", (event) => this.onFrame(JSON.parse(event.data)));
    ws.addEventListener("close", (event) => {
      if (event.code === 4401) {
        // The session ended: sign in again, unless this tab ended it with a password change
        // and holds the new session once that succeeds, or another tab of this browser did.
        const renewal = this.renewal;
        this.renewal = null;
        Promise.resolve(renewal)
          .then((renewed) => renewed || renewedElsewhere())
          .then((renewed) => (renewed ? this.connect() : location.assign("/console/login")));
        return;
      }
      this.onState("Reconnecting…");
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 10000);
    });
  }

  // `change` (a request that ends every session of this agent and gives this browser a new
  // one) is under way: the 4401 it causes, before or after it answers, waits for its outcome.
  renewing(change) {
    this.renewal = change.then(() => true, () => false);
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
    else this.queue.push(frame);
  }
}
