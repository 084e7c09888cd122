/* Screenshots, GIFs and images: paste, drop, pick a file or capture the screen; preview before
 * sending; upload, then send a message that carries the attachment id. Received images show
 * as thumbnails with a click-to-enlarge viewer; animated GIFs get a pause control and start
 * paused for visitors who asked for reduced motion.
 */

const ACCEPTED_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];

export function createAttachmentTools(env, { onSend }) {
  const { h, t, conn, icon, icons } = env;
  let chosen = null; // {file, url} shown in the preview

  const picker = h("input", { type: "file", accept: ACCEPTED_TYPES.join(","), hidden: true, onchange: () => accept(picker.files[0]) });
  const fileButton = h("button", { class: "icon-button", type: "button", "aria-label": t("attach"), title: t("attach"), onclick: () => picker.click() }, icon(icons.attach));
  const canCapture = Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  const screenButton = canCapture
    ? h("button", { class: "icon-button", type: "button", "aria-label": t("screenshot"), title: t("screenshot"), onclick: captureScreen }, icon(icons.screen))
    : null;
  const image = h("img", { alt: t("preview_alt") });
  const status = h("p", { class: "note", role: "status" });
  const sendButton = h("button", { class: "primary", type: "button", onclick: upload }, t("send"));
  const preview = h(
    "div",
    { class: "card preview", hidden: true, role: "group", "aria-label": t("preview_title") },
    h("p", { class: "card-title" }, t("preview_title")),
    image,
    status,
    h("div", { class: "actions" }, sendButton, h("button", { class: "secondary", type: "button", onclick: discard }, t("cancel"))),
  );

  function accept(file) {
    picker.value = "";
    if (!file) return;
    discard();
    preview.hidden = false;
    if (!ACCEPTED_TYPES.includes(file.type)) {
      status.textContent = t("unsupported_file");
      sendButton.hidden = true;
      return;
    }
    chosen = { file, url: URL.createObjectURL(file) };
    image.src = chosen.url;
    sendButton.focus();
  }

  function discard() {
    if (chosen) URL.revokeObjectURL(chosen.url);
    chosen = null;
    image.removeAttribute("src");
    status.textContent = "";
    sendButton.hidden = false;
    sendButton.disabled = false;
    preview.hidden = true;
  }

  async function upload() {
    if (!chosen || !conn.conversationId) return;
    const form = new FormData();
    form.append("file", chosen.file);
    form.append("conversation_id", conn.conversationId);
    sendButton.disabled = true;
    status.textContent = t("uploading");
    try {
      const stored = await conn.api("/api/v1/attachments", { method: "POST", body: form, auth: true });
      // The local copy shows in the pending message; keep its URL alive for that.
      const local = { url: chosen.url, thumb_url: chosen.url, content_type: stored.content_type, frames: stored.frames };
      chosen = null;
      discard();
      onSend([stored.attachment_id], [local]);
    } catch (error) {
      sendButton.disabled = false;
      status.textContent = error.status === 415 ? t("unsupported_file") : error.status === 413 ? t("file_too_big") : t("upload_failed");
    }
  }

  /** One frame of a screen or tab the visitor picks, as a PNG. */
  async function captureScreen() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false, preferCurrentTab: true });
    } catch {
      return; // the visitor cancelled the browser's picker
    }
    try {
      const video = h("video", { playsinline: true });
      video.muted = true;
      video.srcObject = stream;
      await video.play();
      const canvas = h("canvas", { width: video.videoWidth, height: video.videoHeight });
      canvas.getContext("2d").drawImage(video, 0, 0);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      accept(new File([blob], "screenshot.png", { type: "image/png" }));
    } catch {
      preview.hidden = false;
      status.textContent = t("screenshot_failed");
    } finally {
      stream.getTracks().forEach((track) => track.stop());
    }
  }

  /** Paste into the composer and drop anywhere on the chat view. */
  function listenForImages(dropZone, composer) {
    composer.addEventListener("paste", (event) => {
      const file = [...(event.clipboardData?.files || [])].find((item) => item.type.startsWith("image/"));
      if (file && conn.conversationId) {
        event.preventDefault();
        accept(file);
      }
    });
    const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
    dropZone.addEventListener("dragover", (event) => {
      if (!hasFiles(event) || !conn.conversationId) return;
      event.preventDefault();
      dropZone.classList.add("dropping");
    });
    dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dropping"));
    dropZone.addEventListener("drop", (event) => {
      dropZone.classList.remove("dropping");
      if (!hasFiles(event) || !conn.conversationId) return;
      event.preventDefault();
      accept(event.dataTransfer.files[0]);
    });
  }

  /** Uploads belong to a conversation: until the first message is stored there is none. */
  function setEnabled(enabled) {
    for (const button of [fileButton, screenButton]) if (button) button.disabled = !enabled;
  }

  return { buttons: [picker, fileButton, screenButton].filter(Boolean), preview, accept, listenForImages, setEnabled };
}

/** A received (or just sent) image: a thumbnail that opens the viewer; GIFs can be paused. */
export function attachmentView(env, attachment) {
  const { h, t } = env;
  const animated = attachment.content_type === "image/gif" && (attachment.frames || 1) > 1;
  // An animated thumbnail may be a still: play the original GIF itself.
  const img = h("img", { alt: t("image"), loading: "lazy" });
  imageSource(env, animated ? attachment.url : attachment.thumb_url || attachment.url).then((src) => (img.src = src), () => {});
  let gif = null;
  const thumb = h("button", { class: "thumb", type: "button", "aria-label": t("open_image"), onclick: () => openViewer(env, attachment, thumb, gif && gif.paused) }, img);
  if (!animated) return thumb;
  gif = pausable(env, img, matchMedia("(prefers-reduced-motion: reduce)").matches);
  thumb.append(gif.still);
  return h("div", { class: "gif" }, thumb, gif.toggle);
}

/** A GIF's pause control. Paused = the current frame frozen on a canvas laid over the image. */
function pausable(env, img, paused) {
  const { h, t } = env;
  const still = h("canvas", { class: "still", hidden: true, "aria-hidden": "true" });
  const toggle = h("button", { class: "gif-toggle", type: "button", onclick: () => setPaused(!paused) });
  function setPaused(value) {
    paused = value;
    if (paused && img.complete && img.naturalWidth) {
      still.width = img.naturalWidth;
      still.height = img.naturalHeight;
      still.getContext("2d").drawImage(img, 0, 0);
    }
    still.hidden = !paused;
    img.style.visibility = paused ? "hidden" : "";
    toggle.textContent = paused ? "▶" : "❚❚";
    toggle.setAttribute("aria-label", paused ? t("play") : t("pause"));
    toggle.setAttribute("aria-pressed", String(paused));
  }
  img.addEventListener("load", () => setPaused(paused), { once: true });
  setPaused(paused);
  return { still, toggle, get paused() { return paused; } };
}

const sources = new Map(); // url -> Promise of a displayable URL, so each image is fetched once

/** Attachment URLs are only readable with the visitor's token: fetch them, show a blob URL. */
function imageSource(env, url) {
  if (url.startsWith("blob:")) return Promise.resolve(url);
  const absolute = new URL(url, env.config.origin).href;
  if (!sources.has(absolute)) {
    const loading = env.conn.visitor().then(({ token }) =>
      fetch(absolute, { headers: { Authorization: "Bearer " + token } }).then((response) => {
        if (!response.ok) throw new Error(`image ${response.status}`);
        return response.blob();
      }),
    );
    sources.set(absolute, loading.then((blob) => URL.createObjectURL(blob)));
    sources.get(absolute).catch(() => sources.delete(absolute)); // try again next time
  }
  return sources.get(absolute);
}

/** Full size over the panel; Esc or the button closes it and returns focus to the thumbnail.
 * A GIF opens paused if its thumbnail was, and has its own pause control. */
function openViewer(env, attachment, opener, paused) {
  const { h, t, icon, icons } = env;
  const img = h("img", { alt: t("image") });
  imageSource(env, attachment.url).then((src) => (img.src = src), () => {});
  const gif = paused === null ? null : pausable(env, img, paused);
  const closeButton = h("button", { class: "icon-button", type: "button", "aria-label": t("close_image"), onclick: close }, icon(icons.close));
  const viewer = h(
    "div",
    { class: "viewer", role: "dialog", "aria-modal": "true", "aria-label": t("image"), onkeydown: onKey },
    h("div", { class: "bar" }, gif && gif.toggle, closeButton),
    h("div", { class: "frame" }, img, gif && gif.still),
  );
  function onKey(event) {
    if (event.key === "Escape") {
      event.stopPropagation(); // close the image, not the whole panel
      close();
    } else if (event.key === "Tab") {
      event.preventDefault(); // keep the focus on the viewer's own buttons
      event.stopPropagation();
      if (gif) (viewer.getRootNode().activeElement === closeButton ? gif.toggle : closeButton).focus();
    }
  }
  function close() {
    viewer.remove();
    opener.focus();
  }
  env.dialog.append(viewer);
  closeButton.focus();
}
