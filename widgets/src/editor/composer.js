/** The comment editor: write, preview, then post, reply or save. Keeps the text on every failure. */
import { button, h } from "../dom.js";
import { makeWords } from "../i18n.js";
import { errorBox, field, nextId, stored } from "./fields.js";
import { EDITOR_WORDS } from "./messages.js";

/** Open the editor in `host` (or return the one already open there).
    options: thread, parent (reply to), edit (a comment), body/text (its Markdown or shown
    text), done(comment, markdown), closed(), needAuth(button, why), announce. */
export function composer(context, host, options) {
  const open = host.querySelector(":scope > form.quire-editor");
  if (open) return open;
  const words = makeWords(context.lang, EDITOR_WORDS);
  const parts = composerParts(context, options, words);
  const { form, text } = parts;
  // Unsent text survives a reload, per thread and per reply target.
  const draftKey = `quire:draft:${options.thread}:${options.edit ? "e" + options.edit.id : options.parent || 0}`;
  // An edit starts from the Markdown the reader wrote: the API's copy (`bodies` of
  // /me, given as options.body), else the one kept from posting, else the shown text.
  text.value = options.edit
    ? options.body ?? options.edit.body ?? stored("quire:src:" + options.edit.id) ?? options.text
    : stored(draftKey) ?? "";
  parts.close = () => { form.remove(); options.closed && options.closed(); };
  if (options.parent || options.edit) parts.row.append(" ", button(words.text("cancel"), parts.close));
  text.addEventListener("input", () => {
    parts.error.set("");
    if (!options.edit) stored(draftKey, text.value);
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    if (event.key === "Escape" && (options.parent || options.edit)) parts.close();
  });
  parts.previewButton.addEventListener("click", () => togglePreview(context, parts, words));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(context, options, parts, words, draftKey);
  });
  host.append(form);
  return form;
}

/** The form's elements, in reading (and Tab) order: text, preview, error, buttons, notify. */
function composerParts(context, options, words) {
  const text = h("textarea", { name: "body", rows: "5", required: true, class: "quire-input" });
  // Shown only once the API says it takes comments without an account (code name_required).
  const name = h("input", { type: "text", name: "name", autocomplete: "name", maxlength: "80", class: "quire-input" });
  const website = h("input", { type: "url", name: "website", autocomplete: "url", class: "quire-input" });
  const honeypot = h("input", { type: "text", name: "hp", tabindex: "-1", autocomplete: "off", class: "quire-input" });
  const anonymous = h("div", { class: "quire-anon", hidden: true },
    field(words.text("yourName"), name), field(words.text("website"), website),
    h("div", { class: "quire-hp", "aria-hidden": "true" }, field(words.text("hp"), honeypot)));
  // Reply mails are opt-in per comment, and only an account has an address to mail.
  const notify = h("input", { type: "checkbox", name: "notify_replies" });
  const notifyRow = h("label", { class: "quire-notify", hidden: !!options.edit || !context.user },
    notify, " " + words.text("notify"));
  const label = words.text(options.edit ? "yourEdit" : options.parent ? "yourReply" : "your");
  const preview = h("div", { class: "quire-preview quire-body", hidden: true, tabindex: "-1", id: nextId("quire-p") });
  const error = errorBox();
  const send = h("button", { type: "submit", class: "quire-btn quire-primary" },
    words.text(options.edit ? "save" : options.parent ? "postReply" : "post"));
  // One button switches between writing and the preview; its label says where it goes.
  const previewButton = h("button", { type: "button", class: "quire-btn", "aria-controls": preview.id }, words.text("preview"));
  const row = h("div", { class: "quire-row" }, send, " ", previewButton);
  const form = h("form", { class: "quire-form quire-editor", novalidate: true },
    anonymous, field(label, text, words.text("md")), preview, error.element, row, notifyRow); // after the buttons: Tab goes text -> Post
  return { form, text, name, website, honeypot, anonymous, notify, preview, error, send, previewButton, row, previewing: false };
}

/** Switch between the text and the API's rendering of it. */
async function togglePreview(context, parts, words) {
  const { text, preview, previewButton } = parts;
  const on = (parts.previewing = !parts.previewing);
  previewButton.textContent = words.text(on ? "write" : "preview");
  text.hidden = on;
  preview.hidden = !on;
  if (!on) return text.focus();
  if (!text.value.trim()) {
    preview.textContent = words.text("previewEmpty");
    return;
  }
  try {
    const answer = await context.api("POST", "/api/comments/preview", { body: text.value });
    preview.innerHTML = answer.html; // sanitised by the API, never built here
  } catch (error) {
    preview.textContent = "";
    parts.error.set(context.describe(error));
  }
}

/** The request body of a new comment or reply. */
function newComment(context, options, parts) {
  const { text, anonymous, name, website, honeypot, notify } = parts;
  return {
    body: text.value,
    ...(options.parent ? { parent_id: options.parent } : {}),
    ...(anonymous.hidden || context.user ? {} : { name: name.value, website: website.value || null, hp: honeypot.value || null }),
    elapsed_ms: Math.round(performance.now()),
    ...(notify.checked && context.user ? { notify_replies: true } : {}),
  };
}

/** Send the comment; on success forget the draft and hand the comment over. */
async function submit(context, options, parts, words, draftKey) {
  const { form, text, send } = parts;
  if (!text.value.trim()) {
    parts.error.set(words.text("empty"));
    if (!text.hidden) text.focus();
    return;
  }
  const signedIn = !!context.user;
  send.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    const comment = options.edit
      ? await context.api("PATCH", `/api/comments/${options.edit.id}`, { body: text.value })
      : await context.api("POST", `/api/threads/${encodeURIComponent(options.thread)}/comments`, newComment(context, options, parts));
    const markdown = text.value;
    stored(draftKey, "");
    stored("quire:src:" + comment.id, markdown);
    text.value = "";
    if (parts.previewing) parts.previewButton.click();
    if (options.parent || options.edit) parts.close();
    options.done(comment, markdown);
  } catch (error) {
    refused(context, options, parts, words, error, signedIn);
  } finally {
    send.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/** Say why the comment was refused, and ask for a name or a sign-in when that is the cure. */
function refused(context, options, parts, words, error, signedIn) {
  if (error.code === "name_required" && !context.user) {
    parts.anonymous.hidden = false;
    parts.error.set(words.text("anonOk"));
    parts.name.focus();
  } else if (error.status === 401) {
    const why = signedIn ? context.describe(error) : words.text("needIn");
    parts.error.set(why);
    if (signedIn) context.setUser(null);
    options.needAuth(parts.send, why);
  } else parts.error.set(context.describe(error));
}
