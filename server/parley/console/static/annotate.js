// The annotation editor: draw on an image at its own resolution (shown scaled to fit, or zoomed),
// then send the flattened PNG. Blur pixelates the real pixels, so what it hides is gone from the file.

import { el } from "./dom.js";

const TOOLS = [
  { id: "arrow", key: "a", label: "Arrow" },
  { id: "rect", key: "r", label: "Rectangle" },
  { id: "pen", key: "p", label: "Pen" },
  { id: "text", key: "t", label: "Text" },
  { id: "marker", key: "n", label: "Number" },
  { id: "blur", key: "b", label: "Blur" },
];
const COLOURS = [["#e11d48", "Red"], ["#f59e0b", "Yellow"], ["#16a34a", "Green"], ["#2563eb", "Blue"], ["#111827", "Black"], ["#ffffff", "White"]];
const SHORTCUTS = "A arrow · R rectangle · P pen · T text · N number · B blur · Ctrl+Z undo · Ctrl+Shift+Z redo · + zoom in · - zoom out · 0 fit · Ctrl+wheel zoom at the pointer · Enter or Ctrl+Enter send · Esc close";
const ZOOMS = [0.25, 0.5, 1, 1.5, 2, 3, 4]; // the steps beside Fit, as display pixels per image pixel
const WHEEL_STEP = 50; // wheel distance per zoom step: one mouse notch, or a short trackpad pinch

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.addEventListener("load", () => resolve(image));
    image.addEventListener("error", () => reject(new Error("The image could not be loaded.")));
    image.src = url;
  });
}

// Each block becomes the average of its pixels plus random noise: no detail survives, and the
// noise defeats matching block averages against rendered text (how pixelated text is undone).
function pixelate(ctx, box, block) {
  const x = Math.max(0, Math.floor(box.x));
  const y = Math.max(0, Math.floor(box.y));
  const w = Math.min(ctx.canvas.width, Math.ceil(box.x + box.w)) - x;
  const h = Math.min(ctx.canvas.height, Math.ceil(box.y + box.h)) - y;
  if (w <= 0 || h <= 0) return;
  const image = ctx.getImageData(x, y, w, h);
  const { data } = image;
  for (let by = 0; by < h; by += block) {
    for (let bx = 0; bx < w; bx += block) {
      const sum = [0, 0, 0, 0];
      let count = 0;
      for (let py = by; py < Math.min(by + block, h); py++) {
        for (let px = bx; px < Math.min(bx + block, w); px++) {
          const i = (py * w + px) * 4;
          for (let c = 0; c < 4; c++) sum[c] += data[i + c];
          count++;
        }
      }
      const colour = sum.map((total, c) => (c === 3 ? total / count : total / count + (Math.random() - 0.5) * 24));
      for (let py = by; py < Math.min(by + block, h); py++) {
        for (let px = bx; px < Math.min(bx + block, w); px++) {
          const i = (py * w + px) * 4;
          for (let c = 0; c < 4; c++) data[i + c] = colour[c]; // Uint8ClampedArray rounds and clamps
        }
      }
    }
  }
  ctx.putImageData(image, x, y);
}

function box(op) {
  return { x: Math.min(op.x1, op.x2), y: Math.min(op.y1, op.y2), w: Math.abs(op.x2 - op.x1), h: Math.abs(op.y2 - op.y1) };
}

// Draws one annotation; `unit` is the stroke width for this image's size.
function paint(ctx, op, unit, { preview = false } = {}) {
  ctx.save();
  ctx.strokeStyle = ctx.fillStyle = op.colour;
  ctx.lineWidth = unit;
  ctx.lineCap = ctx.lineJoin = "round";
  const b = box(op);
  switch (op.tool) {
    case "rect":
      ctx.strokeRect(b.x, b.y, b.w, b.h);
      break;
    case "arrow": {
      const angle = Math.atan2(op.y2 - op.y1, op.x2 - op.x1);
      const head = unit * 5;
      ctx.beginPath();
      ctx.moveTo(op.x1, op.y1);
      ctx.lineTo(op.x2, op.y2);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(op.x2, op.y2);
      ctx.lineTo(op.x2 - head * Math.cos(angle - 0.45), op.y2 - head * Math.sin(angle - 0.45));
      ctx.lineTo(op.x2 - head * Math.cos(angle + 0.45), op.y2 - head * Math.sin(angle + 0.45));
      ctx.closePath();
      ctx.fill();
      break;
    }
    case "pen":
      ctx.beginPath();
      op.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
      break;
    case "text":
      ctx.font = `bold ${unit * 7}px system-ui, sans-serif`;
      ctx.textBaseline = "top";
      ctx.lineWidth = unit * 1.5;
      ctx.strokeStyle = op.colour === "#ffffff" ? "#111827" : "#ffffff"; // a halo keeps it legible
      ctx.strokeText(op.text, op.x1, op.y1);
      ctx.fillText(op.text, op.x1, op.y1);
      break;
    case "marker": {
      const radius = unit * 5;
      ctx.beginPath();
      ctx.arc(op.x1, op.y1, radius, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = op.colour === "#ffffff" ? "#111827" : "#ffffff";
      ctx.font = `bold ${radius * 1.2}px system-ui, sans-serif`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(String(op.number), op.x1, op.y1 + radius * 0.05);
      break;
    }
    case "blur":
      if (preview) {
        ctx.setLineDash([unit * 2, unit * 2]);
        ctx.strokeStyle = "#111827";
        ctx.fillStyle = "rgba(17, 24, 39, 0.25)";
        ctx.fillRect(b.x, b.y, b.w, b.h);
        ctx.strokeRect(b.x, b.y, b.w, b.h);
      } else {
        pixelate(ctx, b, Math.max(8, unit * 4));
      }
      break;
    default:
      break;
  }
  ctx.restore();
}

// Opens the editor over the console. `send(blob, note)` uploads and posts; it may throw.
export async function openAnnotator(attachment, { send }) {
  const image = await loadImage(attachment.url);
  const [width, height] = [image.naturalWidth, image.naturalHeight];
  const unit = Math.max(2, Math.round(Math.max(width, height) / 320));
  const canvas = el("canvas", { class: "ann-canvas", width, height, "aria-label": "Image being annotated" });
  const ctx = canvas.getContext("2d");
  const flat = el("canvas", { width, height }); // the committed annotations, at full resolution
  const flatCtx = flat.getContext("2d", { willReadFrequently: true });
  const ops = [];
  const undone = [];
  let tool = "arrow";
  let colour = COLOURS[0][0];
  let draft = null;
  let zoom = null; // null: fit to the window; otherwise one of ZOOMS
  let wheeled = 0; // Ctrl+wheel distance not yet turned into a zoom step
  let label = null; // the open text-label field and the image point it belongs to

  const toolButtons = TOOLS.map((t) => el("button", { type: "button", class: "ann-tool", "data-tool": t.id, title: `${t.label} (${t.key.toUpperCase()})`, "aria-pressed": "false" },
    el("span", { text: t.label }), el("kbd", { text: t.key.toUpperCase() })));
  const colourButtons = COLOURS.map(([value, name]) => el("button", { type: "button", class: "ann-colour", "data-colour": value, title: name, "aria-label": name, "aria-pressed": "false" }));
  const undoButton = el("button", { type: "button", text: "Undo", title: "Undo (Ctrl+Z)" });
  const redoButton = el("button", { type: "button", text: "Redo", title: "Redo (Ctrl+Shift+Z)" });
  const zoomOutButton = el("button", { type: "button", text: "−", title: "Zoom out (-)", "aria-label": "Zoom out" });
  const fitButton = el("button", { type: "button", class: "ann-zoom-level", title: "Fit to window (0)" });
  const zoomInButton = el("button", { type: "button", text: "+", title: "Zoom in (+)", "aria-label": "Zoom in" });
  const note = el("input", { type: "text", class: "ann-note", placeholder: "Add a note (optional)", "aria-label": "Note", maxLength: 2000 });
  const sendButton = el("button", { type: "button", class: "primary", text: "Send" });
  const closeButton = el("button", { type: "button", text: "Close" });
  const status = el("span", { class: "ann-status", role: "status" });
  const stage = el("div", { class: "ann-stage" }, canvas);
  const dialog = el("div", { class: "ann", role: "dialog", "aria-modal": "true", "aria-label": "Annotate image", tabIndex: -1 },
    el("div", { class: "ann-bar" },
      el("div", { class: "ann-group", role: "group", "aria-label": "Tools" }, ...toolButtons),
      el("div", { class: "ann-group", role: "group", "aria-label": "Colour" }, ...colourButtons),
      el("div", { class: "ann-group" }, undoButton, redoButton),
      el("div", { class: "ann-group", role: "group", "aria-label": "Zoom" }, zoomOutButton, fitButton, zoomInButton)),
    stage,
    el("div", { class: "ann-bar" }, note, status, closeButton, sendButton),
    el("p", { class: "ann-keys", text: SHORTCUTS }));
  // The CSP refuses style attributes in markup; properties set from script are fine.
  for (const button of colourButtons) button.style.setProperty("--swatch", button.dataset.colour);

  function rebuild() {
    flatCtx.drawImage(image, 0, 0);
    for (const op of ops) paint(flatCtx, op, unit);
    show();
  }
  function show() {
    ctx.drawImage(flat, 0, 0);
    if (draft) paint(ctx, draft, unit, { preview: true });
    undoButton.disabled = !ops.length;
    redoButton.disabled = !undone.length;
  }
  function commit(op) {
    ops.push(op);
    undone.length = 0;
    paint(flatCtx, op, unit);
    show();
  }
  function undo() { if (ops.length) { undone.push(ops.pop()); rebuild(); } }
  function redo() { if (undone.length) { ops.push(undone.pop()); rebuild(); } }
  function choose(id) {
    tool = id;
    for (const b of toolButtons) b.setAttribute("aria-pressed", String(b.dataset.tool === id));
    canvas.dataset.tool = id;
  }
  function pickColour(value) {
    colour = value;
    for (const b of colourButtons) b.setAttribute("aria-pressed", String(b.dataset.colour === value));
  }
  // Fit: as large as the stage shows without scrolling, never larger than the image itself.
  // offsetWidth counts any scrollbar a zoomed view left, which fitting makes go away.
  function fitScale() {
    const pad = getComputedStyle(stage);
    const room = [stage.offsetWidth - parseFloat(pad.paddingLeft) - parseFloat(pad.paddingRight), stage.offsetHeight - parseFloat(pad.paddingTop) - parseFloat(pad.paddingBottom)];
    return Math.min(1, room[0] / width, room[1] / height);
  }
  // Sizes the canvas on screen (its pixels stay the image's) and the controls to the zoom.
  function layout() {
    const scale = zoom ?? fitScale();
    const round = zoom ? Math.round : Math.floor; // a fitted image must not overflow by a pixel
    canvas.style.width = `${round(width * scale)}px`;
    canvas.style.height = `${round(height * scale)}px`;
    canvas.classList.toggle("ann-pixels", scale >= 2); // zoomed in far: crisp pixels, not a blur
    const percent = `${Math.round(scale * 100)} %`;
    fitButton.textContent = percent;
    fitButton.setAttribute("aria-label", `Fit to window (${percent})`);
    fitButton.setAttribute("aria-pressed", String(zoom === null));
    // aria-disabled, not disabled: Chromium may move the focus of a button disabled under it to
    // the body, out of the editor and its keys (Esc included); at a limit zoomBy does nothing.
    zoomOutButton.setAttribute("aria-disabled", String(scale <= ZOOMS[0]));
    zoomInButton.setAttribute("aria-disabled", String(scale >= ZOOMS.at(-1)));
    if (label) placeLabel();
  }
  // Changes the zoom keeping the image point under `anchor` (client coordinates; by default the
  // middle of the stage) where it is on screen.
  function setZoom(next, anchor = null) {
    const view = stage.getBoundingClientRect();
    const [ax, ay] = anchor ?? [view.left + view.width / 2, view.top + view.height / 2];
    const before = canvas.getBoundingClientRect();
    const [fx, fy] = [(ax - before.left) / before.width, (ay - before.top) / before.height];
    zoom = next;
    layout();
    const after = canvas.getBoundingClientRect();
    stage.scrollLeft += after.left + fx * after.width - ax;
    stage.scrollTop += after.top + fy * after.height - ay;
  }
  function zoomBy(direction, anchor) {
    const scale = zoom ?? fitScale();
    const next = direction > 0 ? ZOOMS.find((z) => z > scale + 1e-6) : ZOOMS.findLast((z) => z < scale - 1e-6);
    if (next !== undefined) setZoom(next, anchor);
  }
  function point(event) {
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * (width / rect.width), (event.clientY - rect.top) * (height / rect.height)];
  }

  // A label is typed into a field placed where the click was, then drawn on Enter.
  // It is placed by image point, in the stage's scrolled content, so it stays put while the
  // stage scrolls or zooms.
  function placeLabel() {
    const shown = canvas.clientWidth / width;
    label.field.style.left = `${canvas.offsetLeft + label.x * shown}px`;
    label.field.style.top = `${canvas.offsetTop + label.y * shown}px`;
  }
  function askLabel([x, y]) {
    const field = el("input", { type: "text", class: "ann-label", "aria-label": "Label text", maxLength: 200 });
    label = { field, x, y };
    placeLabel();
    let finished = false; // Enter removes the field, which blurs it: finish only once
    const finish = (keep) => {
      if (finished) return;
      finished = true;
      const text = field.value.trim();
      field.remove();
      label = null;
      if (keep && text) commit({ tool: "text", colour, x1: x, y1: y, x2: x, y2: y, text });
      dialog.focus();
    };
    field.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") { e.preventDefault(); finish(true); }
      if (e.key === "Escape") { e.preventDefault(); finish(false); }
    });
    field.addEventListener("blur", () => finish(true), { once: true });
    stage.append(field);
    field.focus();
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    const [x, y] = point(event);
    if (tool === "marker") {
      commit({ tool, colour, x1: x, y1: y, x2: x, y2: y, number: ops.filter((op) => op.tool === "marker").length + 1 });
    } else if (tool === "text") {
      event.preventDefault(); // keep the new field focused
      askLabel([x, y]);
    } else {
      canvas.setPointerCapture(event.pointerId);
      draft = { tool, colour, x1: x, y1: y, x2: x, y2: y, points: [[x, y]] };
    }
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!draft) return;
    const [x, y] = point(event);
    Object.assign(draft, { x2: x, y2: y });
    if (draft.tool === "pen") draft.points.push([x, y]);
    show();
  });
  canvas.addEventListener("pointerup", () => {
    if (!draft) return;
    const op = draft;
    draft = null;
    const b = box(op);
    if (op.tool === "pen" ? op.points.length > 1 : Math.max(b.w, b.h) > unit * 2) commit(op);
    else show();
  });

  async function submit() {
    if (sendButton.disabled) return;
    sendButton.disabled = true;
    status.textContent = "Sending…";
    try {
      const blob = await new Promise((resolve) => flat.toBlob(resolve, "image/png"));
      await send(blob, note.value.trim());
      close();
    } catch (error) {
      status.textContent = error.message;
      sendButton.disabled = false;
    }
  }
  const opener = document.activeElement;
  function close() {
    removeEventListener("resize", layout);
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  }

  dialog.addEventListener("keydown", (event) => {
    event.stopPropagation(); // the console's shortcuts wait until the editor is closed
    const key = event.key.toLowerCase();
    const inField = event.target === note;
    if (event.key === "Escape") close();
    else if (event.key === "Enter" && event.target.tagName !== "BUTTON" && !event.shiftKey) submit();
    else if ((event.ctrlKey || event.metaKey) && key === "z" && !inField) (event.shiftKey ? redo : undo)();
    else if ((event.ctrlKey || event.metaKey) && key === "y" && !inField) redo();
    else if (inField || event.ctrlKey || event.metaKey || event.altKey) return;
    else if (TOOLS.some((t) => t.key === key)) choose(TOOLS.find((t) => t.key === key).id);
    else if (key === "+" || key === "=") zoomBy(1);
    else if (key === "-") zoomBy(-1);
    else if (key === "0") setZoom(null);
    else return;
    event.preventDefault();
  });
  for (const b of toolButtons) b.addEventListener("click", () => choose(b.dataset.tool));
  for (const b of colourButtons) b.addEventListener("click", () => pickColour(b.dataset.colour));
  undoButton.addEventListener("click", undo);
  redoButton.addEventListener("click", redo);
  zoomInButton.addEventListener("click", () => zoomBy(1));
  zoomOutButton.addEventListener("click", () => zoomBy(-1));
  fitButton.addEventListener("click", () => setZoom(null));
  // Ctrl/⌘ + wheel (and a trackpad pinch, which arrives as one) zooms around the pointer;
  // a plain wheel scrolls the stage as usual.
  stage.addEventListener("wheel", (event) => {
    if (!event.ctrlKey && !event.metaKey) return;
    event.preventDefault(); // not the browser's page zoom
    wheeled += event.deltaMode === WheelEvent.DOM_DELTA_PIXEL ? event.deltaY : Math.sign(event.deltaY) * WHEEL_STEP;
    if (Math.abs(wheeled) < WHEEL_STEP) return;
    zoomBy(-Math.sign(wheeled), [event.clientX, event.clientY]);
    wheeled = 0;
  }, { passive: false });
  sendButton.addEventListener("click", submit);
  closeButton.addEventListener("click", close);

  document.body.append(dialog);
  addEventListener("resize", layout);
  choose(tool);
  pickColour(colour);
  layout();
  rebuild();
  dialog.focus();
}
