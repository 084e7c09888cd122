/* The chat view: the message log, what the server says about the conversation (suggestions,
 * queue, agent, typing, read receipts, resolved), the offline email form, the rating, "email me
 * the transcript", and the composer (Enter sends, Shift+Enter is a new line).
 */

const TYPING_IDLE_MS = 3000; // stop "typing…" after this long without a keystroke
const TYPING_SHOWN_MAX_MS = 10000; // hide the agent's "typing…" if its stop frame never comes
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FRESH_MS = 60000; // a replayed message older than this is history, not news to announce

export function createChatView(env) {
  const { h, t, conn, storage, modules, icon, icons } = env;
  const log = modules.messages.createMessageLog(env);
  const notice = h("p", { class: "notice", role: "status" });
  const typingLine = h("p", { class: "typing", hidden: true });
  const forms = h("div", { class: "forms" });
  const textarea = h("textarea", {
    rows: 1,
    "aria-label": t("composer_label"),
    placeholder: t("composer_placeholder"),
    onkeydown: onComposerKey,
    oninput: onComposerInput,
  });
  const tools = modules.attachments.createAttachmentTools(env, { onSend: (ids, previews) => send(textarea.value.trim(), ids, previews) });
  const composer = h(
    "form",
    { class: "composer", onsubmit: (event) => (event.preventDefault(), send(textarea.value.trim())) },
    textarea,
    ...tools.buttons,
    h("button", { class: "icon-button send", type: "submit", "aria-label": t("send") }, icon(icons.send)),
  );
  const el = h("div", { class: "view chat" }, notice, log.el, typingLine, forms, tools.preview, composer);
  tools.listenForImages(el, textarea);

  let agentName = null; // the agent's name for "typing…", kept after they leave
  let withAgent = false; // an agent holds the conversation now (the header says so)
  let hadAgent = false; // an agent took part: only then is there a conversation to rate
  let typingSent = false;
  let typingTimer = null;
  let typingHideTimer = null;
  const unread = new Set(); // seqs of incoming messages the visitor has not seen

  for (const item of conn.outbox()) log.addPending(item); // typed on an earlier page, not yet stored
  tools.setEnabled(Boolean(conn.conversationId));

  /* ---------- sending ---------- */

  function send(text, attachmentIds = [], previews = []) {
    if (!text && attachmentIds.length === 0) return;
    log.addPending(conn.sendMessage(text, attachmentIds), previews);
    textarea.value = "";
    stopTyping();
  }

  function onComposerKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  }

  function onComposerInput() {
    if (!typingSent) typingSent = conn.send({ type: "typing", state: true });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSent) conn.send({ type: "typing", state: false });
    typingSent = false;
  }

  /* ---------- what the server says ---------- */

  conn.on("message", (message) => {
    log.add(message);
    // The bot's message carries what it suggested, so a reload shows the cards again.
    if (message.suggestions) showSuggestions(message.suggestions);
    if (message.author.kind === "agent") {
      agentName = message.author.name || agentName;
      hadAgent = true;
      showTyping(false);
    }
    if (message.author.kind !== "visitor" && message.seq > (storage.get("state", {}).read_seq || 0)) {
      unread.add(message.seq);
      markReadIfSeen();
      const fresh = Date.now() - new Date(message.created_at).getTime() < FRESH_MS;
      if (message.author.kind === "agent" && unread.size > 0 && fresh) {
        env.notify({ name: message.author.name || t("agent_fallback"), text: message.text || t("image") });
      }
    }
  });
  conn.on("ack", (ack) => {
    log.confirm(ack.client_id, ack.seq);
    tools.setEnabled(true);
  });
  conn.on("failed", (error) => log.fail(error.ref));
  conn.on("read", (frame) => frame.by === "agent" && log.markRead(frame.seq));
  conn.on("typing", (frame) => frame.by === "agent" && showTyping(frame.state));
  conn.on("queue", showQueue);
  conn.on("assigned", (frame) => {
    notice.textContent = ""; // no longer queued; the server posts "… joined" in the log
    showAgent(frame.agent.name);
  });
  conn.on("status", ({ status }) => {
    settleSuggestions(status);
    if (status !== "queued") forms.querySelector(".offline")?.remove(); // someone took it, or it closed
    if (status === "resolved") {
      showAgent(null);
      if (hadAgent) showRating();
      if (hadAgent) offerTranscript();
    } else {
      forms.querySelector(".rating")?.remove(); // a new message reopened the conversation
      forms.querySelector(".transcript")?.remove();
    }
    if (status === "queued") offerOfflineForm();
  });
  conn.on("welcome", ({ conversation }) => {
    if (!conversation) return;
    if (conversation.assignee) {
      hadAgent = true;
      agentName = conversation.assignee.name;
      if (conversation.status === "assigned") showAgent(agentName);
    }
    if (conversation.agent_read_seq) log.markRead(conversation.agent_read_seq);
    if (conversation.status === "resolved" && !conversation.rating && hadAgent) showRating();
  });
  conn.on("conversation", (id) => {
    tools.setEnabled(Boolean(id));
    unread.clear();
    env.setUnread(0);
    if (id === null) log.clear();
  });
  conn.on("state", (state) => {
    el.classList.toggle("disconnected", state === "offline");
    if (state === "offline") notice.textContent = t("reconnecting");
    else if (state === "online" && notice.textContent === t("reconnecting")) notice.textContent = "";
  });

  /** Read receipts and the unread badge: a message counts as seen only while the chat is shown. */
  function markReadIfSeen() {
    if (!env.isShowing("chat") || unread.size === 0) {
      env.setUnread(unread.size);
      return;
    }
    const seq = Math.max(...unread);
    unread.clear();
    storage.update("state", { read_seq: seq });
    conn.send({ type: "read", seq });
    env.setUnread(0);
    env.clearNotice();
  }

  /** The agent holding the conversation now (the header names them), or null once it is over. */
  function showAgent(name) {
    withAgent = Boolean(name);
    if (name) {
      agentName = name;
      hadAgent = true;
      forms.querySelector(".offline")?.remove(); // somebody is here now
    }
    if (env.isShowing("chat")) env.setSubtitle(withAgent ? t("chatting_with", { name: agentName }) : "");
  }

  function showTyping(on) {
    clearTimeout(typingHideTimer);
    typingLine.hidden = !on;
    typingLine.textContent = on ? t("typing", { name: agentName || t("agent_fallback") }) : "";
    if (on) typingHideTimer = setTimeout(() => showTyping(false), TYPING_SHOWN_MAX_MS);
  }

  function showQueue(frame) {
    // No estimate means nobody is online: the server's message says so and the email form
    // waits; a place in a queue nobody serves would only contradict it.
    if (frame.expected_wait_s == null) {
      notice.textContent = "";
      return offerOfflineForm(true);
    }
    const place = frame.position <= 1 ? t("queue_next") : t("queue_position", { n: frame.position });
    notice.textContent = [place, waitText(frame.expected_wait_s)].filter(Boolean).join(" ");
  }

  function waitText(seconds) {
    if (seconds < 60) return t("wait_soon");
    return t("wait_minutes", { n: Math.round(seconds / 60) });
  }

  /* ---------- cards and forms ---------- */

  /** A bot answer's card; only the latest one, while the bot still holds the conversation,
   *  offers "This solved it" and "Talk to a person". */
  function showSuggestions(results) {
    settleSuggestions("superseded");
    log.addBlock(suggestionsCard(results));
    settleSuggestions(conn.status);
  }

  function settleSuggestions(status) {
    if (status === "bot" || status === null) return; // null: not known yet (a replay before welcome)
    for (const actions of log.el.querySelectorAll(".suggestions .actions")) {
      if (actions.querySelector("button")) actions.remove();
    }
  }

  function suggestionsCard(results) {
    const actions = h(
      "div",
      { class: "actions" },
      h("button", { class: "secondary", type: "button", onclick: () => settle(t("glad"), { type: "resolve" }) }, t("solved")),
      h("button", { class: "primary", type: "button", onclick: () => settle("", { type: "handoff" }) }, t("talk_to_person")),
    );
    // One answer per card: once the visitor picked, the choice is made.
    function settle(message, frame) {
      if (!conn.send(frame)) return (notice.textContent = t("reconnecting"));
      actions.replaceChildren(message ? h("p", { class: "note" }, message) : "");
      textarea.focus();
    }
    return h(
      "div",
      { class: "card suggestions" },
      h("p", null, results.length ? t("suggestions_intro") : t("no_suggestions")),
      h("ul", { class: "results" }, results.map((result) => h("li", null, modules.kb.resultButton(env, result)))),
      actions,
    );
  }

  /** Nobody online: ask for an email so the answer can reach the visitor later. */
  function offerOfflineForm(nobodyOnline = conn.agentsOnline === 0) {
    if (!nobodyOnline || withAgent || forms.querySelector(".offline")) return;
    const saved = storage.get("state", {}).contact_email;
    if (saved) return;
    const email = h("input", { type: "email", id: "parley-email", autocomplete: "email", required: true, placeholder: t("email_placeholder") });
    const status = h("p", { class: "note", role: "status" });
    // The server's message above says nobody is online and why the email: the card only asks.
    const transcript = h("input", { type: "checkbox", id: "parley-offline-transcript" });
    const form = h(
      "form",
      { class: "card offline", onsubmit: submit, novalidate: true },
      h("label", { class: "card-title", for: "parley-email" }, t("email_label")),
      h("div", { class: "row" }, email, h("button", { class: "primary", type: "submit" }, t("leave_email"))),
      h("label", { class: "check" }, transcript, t("transcript_also")),
      status,
    );
    function submit(event) {
      event.preventDefault();
      const value = email.value.trim();
      if (!EMAIL_PATTERN.test(value)) return (status.textContent = t("email_invalid"));
      if (!conn.send({ type: "contact", email: value })) return (status.textContent = t("reconnecting"));
      if (transcript.checked) conn.send({ type: "transcript", email: value });
      storage.update("state", { contact_email: value });
      form.remove(); // the server confirms with a message in the log
    }
    forms.append(form);
  }

  /** After the resolve: the conversation mailed to the visitor, if they want it. */
  function offerTranscript() {
    if (forms.querySelector(".transcript")) return;
    const email = h("input", {
      type: "email",
      id: "parley-transcript-email",
      autocomplete: "email",
      required: true,
      placeholder: t("email_placeholder"),
      value: storage.get("state", {}).contact_email || "",
    });
    const status = h("p", { class: "note", role: "status" });
    const form = h(
      "form",
      { class: "card transcript", onsubmit: submit, novalidate: true },
      h("label", { class: "card-title", for: "parley-transcript-email" }, t("transcript_offer")),
      h("div", { class: "row" }, email, h("button", { class: "secondary", type: "submit" }, t("transcript_send"))),
      status,
    );
    function submit(event) {
      event.preventDefault();
      const value = email.value.trim();
      if (!EMAIL_PATTERN.test(value)) return (status.textContent = t("email_invalid"));
      if (!conn.send({ type: "transcript", email: value })) return (status.textContent = t("reconnecting"));
      form.remove(); // the server confirms with a message in the log
    }
    forms.append(form);
  }

  function showRating() {
    if (forms.querySelector(".rating")) return;
    const comment = h("textarea", { id: "parley-comment", rows: 2 });
    const stars = [1, 2, 3, 4, 5].map((score) =>
      h(
        "label",
        { class: "star" },
        h("input", { type: "radio", name: "parley-score", value: score, required: true }),
        h("span", { "aria-hidden": "true" }, "★"),
        h("span", { class: "sr-only" }, t("rate_score", { n: score })),
      ),
    );
    const form = h(
      "form",
      { class: "card rating", onsubmit: submit },
      h("p", { class: "card-title" }, t("resolved")),
      h("fieldset", null, h("legend", null, t("rate_title")), h("div", { class: "stars" }, stars)),
      h("label", { for: "parley-comment" }, t("rate_comment")),
      comment,
      h("button", { class: "primary", type: "submit" }, t("rate_send")),
    );
    function submit(event) {
      event.preventDefault();
      const score = Number(new FormData(form).get("parley-score"));
      const frame = { type: "rate", score, comment: comment.value.trim() || undefined };
      if (!conn.send(frame)) return;
      form.replaceChildren(h("p", { role: "status" }, t("rate_thanks")));
    }
    forms.append(form);
  }

  return {
    el,
    show(arg) {
      if (withAgent) env.setSubtitle(t("chatting_with", { name: agentName }));
      if (arg && arg.ask) send(arg.ask);
      log.scrollToEnd();
      markReadIfSeen();
    },
    shown: markReadIfSeen,
    focus: () => textarea.focus(),
  };
}
