// Opt-in alerts for what needs an agent: a new conversation in the queue, or a visitor's message
// in a conversation that is not the one on screen. A short chime made with WebAudio (no sound
// file) and, when the browser allows it, a system notification. The unread count is always in
// the tab's title.

const KEY = "parley.console.notify";
const RECENT_MS = 30_000; // a replayed history is not news

export function installNotifications(toggle, { open }) {
  const baseTitle = document.title;
  let audio = null;
  toggle.checked = localStorage.getItem(KEY) === "on";

  // Browsers start audio only after a gesture: the toggle itself, or any later click or key.
  function unlock() {
    if (!toggle.checked) return;
    audio ||= new AudioContext();
    if (audio.state === "suspended") audio.resume();
  }
  document.addEventListener("pointerdown", unlock, { capture: true });
  document.addEventListener("keydown", unlock, { capture: true });

  toggle.addEventListener("change", async () => {
    localStorage.setItem(KEY, toggle.checked ? "on" : "off");
    if (!toggle.checked) return;
    unlock();
    chime();
    if ("Notification" in window && Notification.permission === "default") await Notification.requestPermission();
  });

  // Two soft notes, a fifth apart, under half a second.
  function chime() {
    if (!audio || audio.state !== "running") return;
    const start = audio.currentTime;
    [660, 990].forEach((frequency, index) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const at = start + index * 0.12;
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.15, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.32);
    });
  }

  function alert({ title, body, conversationId, createdAt }) {
    if (!toggle.checked || (createdAt && Date.now() - Date.parse(createdAt) > RECENT_MS)) return;
    chime();
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const shown = new Notification(title, { body, tag: conversationId }); // one per conversation
    shown.addEventListener("click", () => {
      window.focus();
      open(conversationId);
      shown.close();
    });
  }

  function setUnread(count) {
    document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
  }

  return { alert, setUnread };
}
