// The agent WebSocket: same-origin cookie auth, automatic reconnect resuming from last seqs.

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
        location.assign("/console/login"); // the session ended: sign in again
        return;
      }
      this.onState("Reconnecting…");
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 10000);
    });
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
    else this.queue.push(frame);
  }
}
