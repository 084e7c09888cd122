/* The visitor's line to the server: who we are (token), one WebSocket that resumes where it
 * left off, and an outbox that survives reloads. No DOM here: the views subscribe to events.
 *
 * Guarantees the views rely on:
 * - every `message` event has a seq not seen before on this page (replays are dropped);
 * - a message sent while offline is kept in localStorage and re-sent with its original
 *   client_id on every (re)connect until the server acks it, so it is stored exactly once.
 */

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30000;
const CLOSE_BAD_TOKEN = 4401;
const CLOSE_FORBIDDEN = 4403;

export function createConnection({ config, storage }) {
  const listeners = new Map();
  let socket = null;
  let connecting = false;
  let ready = false; // welcomed: frames may be sent
  let attempt = 0;
  let retryTimer = null;
  let registering = null;
  const conversation = { id: storage.get("state", {}).conversation_id || null, status: null, seen: new Set(), lastSeq: 0 };
  let agentsOnline = null;

  function on(type, listener) {
    if (!listeners.has(type)) listeners.set(type, []);
    listeners.get(type).push(listener);
  }

  function emit(type, detail) {
    for (const listener of listeners.get(type) || []) listener(detail);
  }

  /* ---------- HTTP ---------- */

  async function api(path, { method = "GET", body, signal, auth = false } = {}) {
    const headers = {};
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    if (auth) headers.Authorization = "Bearer " + (await visitor()).token;
    const response = await fetch(config.origin + path, { method, headers, body: payload, signal });
    if (!response.ok) throw Object.assign(new Error(`${method} ${path}: ${response.status}`), { status: response.status });
    return response.status === 204 ? null : response.json();
  }

  /** The visitor we are, registered once and then reused on every visit from this browser.
   *  A different signed-in user (Parley.identify) registers again: the server links a
   *  verified user to their earlier visitor, so their conversation follows them. */
  async function visitor() {
    const saved = storage.get("visitor");
    const identity = storage.get("identity") || {};
    const userId = identity.user_id || null;
    if (saved && saved.token && (saved.user_id || null) === userId) return saved;
    const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    registering ??= api("/api/v1/visitors", {
      method: "POST",
      body: {
        ...identity,
        page_url: location.href,
        referrer: document.referrer || null,
        locale: config.locale,
        attributes: { ...(timezone ? { timezone } : {}), ...identity.attributes },
      },
    })
      .then((created) => {
        storage.set("visitor", { visitor_id: created.visitor_id, token: created.token, user_id: userId });
        return created;
      })
      .finally(() => {
        registering = null;
      });
    return registering;
  }

  /* ---------- the socket ---------- */

  async function connect() {
    clearTimeout(retryTimer);
    if (socket || connecting) return;
    connecting = true;
    emit("state", "connecting");
    let token;
    try {
      token = (await visitor()).token;
    } catch {
      connecting = false;
      scheduleReconnect();
      return;
    }
    const url = `${config.origin.replace(/^http/, "ws")}/ws/visitor?token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(url);
    socket = ws;
    connecting = false;
    // last_seq 0 on a fresh page replays the whole conversation: the history is the server's.
    const hello = { type: "hello", last_seq: conversation.lastSeq, team: config.team || undefined };
    ws.onopen = () => ws.send(JSON.stringify(hello));
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // not ours to crash on
      }
      receive(frame);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      ready = false;
      emit("state", "offline");
      if (event.code === CLOSE_FORBIDDEN) return; // this page may not use the widget: stop
      if (event.code === CLOSE_BAD_TOKEN) storage.set("visitor", null); // register anew
      scheduleReconnect();
    };
  }

  /** Exponential backoff with jitter, so a restarted server is not hit by every tab at once. */
  function scheduleReconnect() {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function send(frame) {
    if (!ready) return false; // typing and read frames are worthless later: drop them
    socket.send(JSON.stringify(frame));
    return true;
  }

  /* ---------- frames from the server ---------- */

  function receive(frame) {
    switch (frame.type) {
      case "welcome":
        attempt = 0;
        ready = true;
        agentsOnline = frame.agents_online;
        if (frame.conversation) {
          adoptConversation(frame.conversation.id);
          conversation.status = frame.conversation.status;
        } else if (conversation.id && conversation.lastSeq === 0) {
          adoptConversation(null); // the stored conversation is gone (closed elsewhere)
        }
        emit("state", "online");
        emit("welcome", frame);
        flushOutbox();
        return;
      case "message":
        adoptConversation(frame.conversation_id);
        // Our own message coming back is stored, as surely as its ack (which may come later).
        if (frame.client_id) removeFromOutbox(frame.client_id);
        if (conversation.seen.has(frame.seq)) return;
        noteSeq(frame.seq);
        emit("message", frame);
        return;
      case "ack":
        adoptConversation(frame.conversation_id);
        removeFromOutbox(frame.client_id);
        emit("ack", frame);
        return;
      case "status":
        conversation.status = frame.status;
        emit("status", frame);
        return;
      case "error":
        if (frame.ref && removeFromOutbox(frame.ref)) emit("failed", frame);
        emit("error", frame);
        return;
      default:
        emit(frame.type, frame); // suggestions, queue, assigned, typing, read, and later additions
    }
  }

  /** Messages of a different conversation than ours start a fresh history. */
  function adoptConversation(id) {
    if (id === conversation.id) return;
    conversation.id = id;
    conversation.status = null;
    conversation.seen.clear();
    conversation.lastSeq = 0;
    storage.update("state", { conversation_id: id, read_seq: 0 });
    emit("conversation", id);
  }

  function noteSeq(seq) {
    conversation.seen.add(seq);
    conversation.lastSeq = Math.max(conversation.lastSeq, seq);
  }

  /* ---------- the outbox ---------- */

  function outbox() {
    return storage.get("outbox", []);
  }

  function removeFromOutbox(clientId) {
    const pending = outbox();
    const rest = pending.filter((item) => item.client_id !== clientId);
    storage.set("outbox", rest);
    return rest.length !== pending.length;
  }

  function transmit(item) {
    send({ type: "message", client_id: item.client_id, text: item.text, attachments: item.attachments });
  }

  function flushOutbox() {
    for (const item of outbox()) transmit(item);
  }

  /** Queue a message (kept across reloads until acked) and send it now if we can. */
  function sendMessage(text, attachments = []) {
    const item = { client_id: newClientId(), text, attachments, created_at: new Date().toISOString() };
    storage.set("outbox", [...outbox(), item]);
    transmit(item);
    return item;
  }

  addEventListener("online", () => {
    attempt = 0;
    if (!socket) connect();
  });

  return {
    on,
    api,
    connect,
    send,
    sendMessage,
    outbox,
    visitor,
    get online() {
      return ready;
    },
    get agentsOnline() {
      return agentsOnline;
    },
    get conversationId() {
      return conversation.id;
    },
    get status() {
      return conversation.status;
    },
  };
}

/** Random, unique enough, and available outside secure contexts (unlike randomUUID). */
function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "c_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parley.identify, taken at once (docs/widget.md): the visitor this browser registered as
 *  this user is updated (POST /api/v1/visitors/me: name, email, attributes); a signed-in user
 *  new to this browser registers now, so a verified user's record is refreshed on the server
 *  (retention reads those attributes) even if the chat is never opened. What was last said is
 *  remembered, so an unchanged identity on every page costs no request. */
export async function sendIdentity({ config, storage }) {
  const identity = storage.get("identity") || {};
  const told = JSON.stringify(identity);
  const saved = storage.get("visitor");
  if (saved?.told === told) return;
  const link = createConnection({ config, storage });
  const same = Boolean(saved?.token) && (saved.user_id || null) === (identity.user_id || null);
  try {
    if (same) await link.api("/api/v1/visitors/me", { method: "POST", body: identity, auth: true });
    else if (identity.user_id) await link.visitor();
    else return; // an anonymous visitor not yet registered: told at registration
  } catch (error) {
    if (error.status !== 401 && error.status !== 404) throw error;
    storage.set("visitor", null); // an expired token or a forgotten visitor: register anew
    await link.visitor();
  }
  storage.set("visitor", { ...storage.get("visitor"), told });
}
