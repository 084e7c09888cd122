// The Saved replies dialog: the replies this agent sees (everyone's, their teams', their own),
// filtered by tag or owner, with tags, images and how often each was sent; a form to add or
// edit one (who it is for, tags, images uploaded or taken from the library) with a preview of
// the text for the open conversation's visitor; each reply's A/B test.

import { postForm } from "./attachments.js";
import { el } from "./dom.js";
import { api } from "./http.js";
import { installReplyTests } from "./reply_tests.js";

const URL = "/api/v1/console/saved-replies";
const PLACEHOLDERS = '{{visitor.name}} {{visitor.first_name}} {{visitor.email}} {{visitor.attributes.plan | default("your plan")}} {{agent.name}} {{agent.first_name}}';
const SCOPES = { shared: "Everyone", team: "Team", personal: "Only me" };

function field(label, input) {
  return el("label", { class: "field" }, el("span", { text: label }), input);
}

export function installManager(button, { isAdmin = false, conversationId = () => null } = {}) {
  const shortcut = el("input", { name: "shortcut", required: true, maxLength: 61, placeholder: "refund", autocomplete: "off" });
  const title = el("input", { name: "title", required: true, maxLength: 200, placeholder: "Refund issued" });
  const body = el("textarea", { name: "body", required: true, maxLength: 5000, rows: 5 });
  const scope = el("select", { name: "scope" });
  const tags = el("input", { name: "tags", placeholder: "billing, refunds", autocomplete: "off" });
  const imageFile = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp", "aria-label": "Upload an image" });
  const librarySelect = el("select", { "aria-label": "Add a GIF from the library" });
  const images = el("ul", { class: "reply-images", "aria-label": "Attached images" });
  const preview = el("p", { class: "reply-draft-preview", "aria-live": "polite" });
  const previewButton = el("button", { type: "button", text: "Preview" });
  const error = el("p", { class: "form-error", role: "alert" });
  const save = el("button", { type: "submit", class: "primary", text: "Add reply" });
  const cancel = el("button", { type: "button", text: "Cancel edit", hidden: true });
  const form = el(
    "form",
    { class: "reply-form" },
    field("Shortcut", shortcut),
    field("Title", title),
    field("Text", body),
    el("p", { class: "hint", text: `Typed as /shortcut in the composer. Placeholders: ${PLACEHOLDERS}` }),
    field("For", scope),
    field("Tags", tags),
    el("div", { class: "reply-image-pickers" }, field("Image", imageFile), field("From the library", librarySelect)),
    images,
    el("div", { class: "form-actions" }, previewButton),
    preview,
    error,
    el("div", { class: "form-actions" }, cancel, save),
  );
  const tagFilter = el("select", { "aria-label": "Filter by tag" });
  const scopeFilter = el("select", { "aria-label": "Filter by owner" },
    el("option", { value: "", text: "All replies" }),
    ...Object.entries({ shared: "Everyone's", team: "My teams'", personal: "Mine" }).map(([value, text]) => el("option", { value, text })));
  const list = el("ul", { class: "reply-list", "aria-label": "The team's saved replies" });
  const close = el("button", { type: "button", text: "Close" });
  const dialog = el(
    "div",
    { id: "replies-dialog", class: "overlay", role: "dialog", "aria-modal": "true", "aria-labelledby": "replies-title", hidden: true },
    el("div", { class: "card wide" }, el("h2", { id: "replies-title", text: "Saved replies" }),
      el("div", { class: "reply-filters" }, tagFilter, scopeFilter), list, form, el("div", { class: "form-actions" }, close)),
  );
  document.body.append(dialog);
  // After this dialog, so the test's dialog opens above it; a kept winner changes the list.
  const openTests = installReplyTests({ isAdmin, onChange: () => refresh() });
  let replies = [];
  let editing = null;
  let attached = []; // [{attachment_id, thumb_url}]
  let library = [];

  function renderImages() {
    images.replaceChildren(...attached.map((a, index) => el(
      "li", {},
      el("img", { src: a.thumb_url, alt: `Image ${index + 1}` }),
      el("button", { type: "button", class: "ghost", text: "×", "aria-label": `Remove image ${index + 1}`, "data-remove": String(index) }),
    )));
  }

  function edit(reply) {
    editing = reply;
    shortcut.value = reply ? reply.shortcut : "";
    title.value = reply ? reply.title : "";
    body.value = reply ? reply.body : "";
    scope.value = reply ? (reply.scope === "team" ? `team:${reply.team_id}` : reply.scope) : "shared";
    tags.value = reply ? reply.tags.join(", ") : "";
    attached = reply ? reply.attachments.map((a) => ({ attachment_id: a.attachment_id, thumb_url: a.thumb_url })) : [];
    renderImages();
    save.textContent = reply ? "Save changes" : "Add reply";
    cancel.hidden = !reply;
    error.textContent = preview.textContent = "";
  }

  function renderList() {
    list.replaceChildren(
      ...replies.map((reply) =>
        el(
          "li",
          { class: "reply-item", "data-shortcut": reply.shortcut },
          el("span", { class: "picker-shortcut", text: `/${reply.shortcut}` }),
          el("span", { class: "reply-title", text: reply.title }),
          el("button", { type: "button", "data-edit": reply.id, text: "Edit", "aria-label": `Edit /${reply.shortcut}` }),
          el("button", { type: "button", "data-delete": reply.id, text: "Delete", "aria-label": `Delete /${reply.shortcut}` }),
          el("button", { type: "button", "data-test": reply.id, text: "A/B test", "aria-label": `A/B test of /${reply.shortcut}` }),
          el("span", { class: "reply-meta" },
            el("span", { class: "chip", text: SCOPES[reply.scope] }),
            ...reply.tags.map((tag) => el("span", { class: "chip reply-tag", text: tag })),
            el("span", { class: "reply-uses", text: `${reply.uses} ${reply.uses === 1 ? "use" : "uses"}` }),
            reply.attachments.length ? el("span", { class: "reply-uses", text: `${reply.attachments.length} image(s)` }) : null),
          el("span", { class: "reply-body", text: reply.body }),
        ),
      ),
    );
    if (!replies.length) list.append(el("li", { class: "empty", text: "No saved replies yet." }));
  }

  async function refresh() {
    const query = new URLSearchParams();
    if (tagFilter.value) query.set("tag", tagFilter.value);
    if (scopeFilter.value) query.set("scope", scopeFilter.value);
    replies = (await api("GET", `${URL}?${query}`)).saved_replies;
    renderList();
    if (!tagFilter.value && !scopeFilter.value) {
      const known = [...new Set(replies.flatMap((reply) => reply.tags))].sort();
      tagFilter.replaceChildren(el("option", { value: "", text: "Any tag" }), ...known.map((tag) => el("option", { value: tag, text: tag })));
    }
  }

  function scopes(teams) {
    const chosen = scope.value;
    scope.replaceChildren(
      el("option", { value: "shared", text: "Everyone" }),
      ...teams.map((team) => el("option", { value: `team:${team.id}`, text: `Team: ${team.name}` })),
      el("option", { value: "personal", text: "Only me" }),
    );
    scope.value = chosen || "shared";
  }
  scopes([]);

  // The teams and the library arrive after the form is usable; what was chosen stays chosen.
  async function loadChoices() {
    scopes((await api("GET", "/api/v1/console/agents")).teams);
    library = (await api("GET", "/api/v1/console/library")).items;
    librarySelect.replaceChildren(el("option", { value: "", text: "Choose a GIF…" }), ...library.map((item) => el("option", { value: item.id, text: item.title })));
  }

  async function show(open) {
    dialog.hidden = !open;
    if (open) {
      edit(null);
      shortcut.focus();
      await Promise.all([refresh(), loadChoices()]);
    } else {
      button.focus();
    }
  }

  function fields() {
    const [kind, teamId] = scope.value.split(":");
    return {
      shortcut: shortcut.value,
      title: title.value,
      body: body.value,
      scope: kind,
      ...(teamId ? { team_id: teamId } : {}),
      tags: tags.value.split(",").map((tag) => tag.trim()).filter(Boolean),
      attachment_ids: attached.map((a) => a.attachment_id),
    };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      if (editing) await api("PUT", `${URL}/${encodeURIComponent(editing.id)}`, fields());
      else await api("POST", URL, fields());
      edit(null);
      await refresh();
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  previewButton.addEventListener("click", async () => {
    try {
      const id = conversationId();
      const shown = await api("POST", `${URL}/preview`, { body: body.value, ...(id ? { conversation_id: id } : {}) });
      preview.textContent = shown.text;
      error.textContent = "";
    } catch (failure) {
      preview.textContent = "";
      error.textContent = failure.message;
    }
  });
  imageFile.addEventListener("change", async () => {
    const file = imageFile.files[0];
    if (!file) return;
    const upload = new FormData();
    upload.append("file", file, file.name || "image.png");
    try {
      const stored = await postForm(`${URL}/attachments`, upload);
      attached.push({ attachment_id: stored.attachment_id, thumb_url: stored.thumb_url });
      renderImages();
    } catch (failure) {
      error.textContent = failure.message;
    }
    imageFile.value = "";
  });
  librarySelect.addEventListener("change", () => {
    const item = library.find((entry) => entry.id === librarySelect.value);
    if (item) attached.push({ attachment_id: item.attachment.attachment_id, thumb_url: item.attachment.thumb_url });
    librarySelect.value = "";
    renderImages();
  });
  images.addEventListener("click", (event) => {
    const target = event.target.closest("[data-remove]");
    if (!target) return;
    attached.splice(Number(target.dataset.remove), 1);
    renderImages();
  });
  tagFilter.addEventListener("change", refresh);
  scopeFilter.addEventListener("change", refresh);
  list.addEventListener("click", async (event) => {
    const target = event.target.closest("button");
    const reply = target && replies.find((r) => r.id === (target.dataset.edit || target.dataset.delete || target.dataset.test));
    if (!reply) return;
    if (target.dataset.test) {
      openTests(reply);
    } else if (target.dataset.edit) {
      edit(reply);
      shortcut.focus();
    } else if (confirm(`Delete /${reply.shortcut}?`)) {
      await api("DELETE", `${URL}/${encodeURIComponent(reply.id)}`);
      if (editing?.id === reply.id) edit(null);
      await refresh();
    }
  });
  cancel.addEventListener("click", () => edit(null));
  close.addEventListener("click", () => show(false));
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      show(false);
    }
  });
  button.addEventListener("click", () => show(true));
}
