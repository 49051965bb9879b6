/** One article's comment thread with its like and bookmark buttons, kept live. */
import { describeError } from "./api.js";
import { renderAuthBar } from "./auth-bar.js";
import { commentActions } from "./comment-actions.js";
import { createTree } from "./comment-tree.js";
import { button, h, liveRegion } from "./dom.js";
import { createToggle } from "./toggle.js";

/** What /me says of a reader who is not signed in. */
const nobody = () => ({ liked_comments: [], editable: [], pending: [] });

/** The thread of `section` (null on a page with only a like button) and its `likeHosts`.
    `page` holds what every thread shares: api, auth, words, relativeTime, loadEditor and
    editorContext (what the lazily loaded editor is handed). */
export function createThread(section, likeHosts, page) {
  const { api, auth, words } = page;
  const id = (section || likeHosts[0]).dataset.quireThread;
  const path = `/api/threads/${encodeURIComponent(id)}`;
  let announce = () => {}; // set once the live region is in the page
  const parts = {}; // the section's bar, alert, auth, compose hosts (none without a section)
  const thread = {
    id, api, auth, words,
    me: nobody(),
    tree: null,
    announce: (message) => announce(message),
    showError(message) {
      if (!parts.alert) return message && announce(message);
      parts.alert.textContent = message || "";
      parts.alert.hidden = !message;
    },
    async needAuth(from, why) {
      const host = parts.auth || from.parentElement;
      try {
        const editor = await page.loadEditor();
        editor.authForm(page.editorContext, host, { reason: why || words.text("anon"), announce, done: () => from.focus() });
      } catch (error) { announce(describeError(error, words)); }
    },
    async openAuth(from, mode) {
      const done = () => parts.compose.querySelector("textarea,button:not([hidden])")?.focus();
      try { (await page.loadEditor()).authForm(page.editorContext, parts.auth, { mode, announce, done }); }
      catch (error) { thread.showError(describeError(error, words)); }
    },
    async openComposer(host, options) {
      try {
        const editor = await page.loadEditor();
        return editor.composer(page.editorContext, host, { thread: id, needAuth: thread.needAuth, announce, ...options });
      } catch (error) { thread.showError(describeError(error, words)); }
    },
    /** A comment just posted by a signed-in reader is theirs to edit at once. */
    own(comment) {
      if (auth.user) thread.me.editable.push(comment.id);
      return comment;
    },
  };

  const toggle = (label, className, what, key) => createToggle({
    label, className, path: `${path}/${what}`, key, api, auth, words, needAuth: thread.needAuth, announce: thread.announce,
  });
  const like = toggle(words.text("like"), "quire-like-btn", "like", "liked");
  const mark = toggle(words.text("bookmark"), "quire-mark-btn", "bookmark", "bookmarked");
  for (const host of likeHosts) {
    like.set(false, +host.dataset.quireLikes || 0);
    host.replaceChildren(like.element, " ", mark.element);
  }
  announce = liveRegion(section || likeHosts[0]);
  if (section) mountSection(thread, section, parts, page);

  const { load, loadMe, signedOut } = loaders(thread, section, path, like, mark);
  const renderBar = () => { if (parts.bar) renderAuthBar(thread, parts.bar); };
  auth.subscribe(() => {
    renderBar();
    if (auth.user) loadMe();
    else signedOut();
  });
  renderBar();
  return { load, loadMe, get last() { return thread.tree ? thread.tree.last : 0; } };
}

/** Reading the thread from the API: its comments and like count, and what the reader did. */
function loaders(thread, section, path, like, mark) {
  const { api, words } = thread;
  /** Fetch the whole thread; `quiet` on the first load (no "new comments" unless baked ones came first). */
  const load = async (quiet) => {
    try {
      // The whole thread, never `?since=`: baked comments carry counts and text frozen at
      // publishing, which the API's answer must replace (one URL per thread caches best too).
      const answer = await api("GET", `${path}/comments`);
      like.set(like.on, answer.likes);
      if (!section) return; // a like button without a thread on this page
      const fresh = answer.comments.filter((comment) => !thread.tree.has(comment.id));
      answer.comments.forEach((comment) => thread.tree.add(comment, !quiet));
      if (fresh.length && (!quiet || thread.tree.last)) thread.announce(words.plural("newc", fresh.length));
    } catch (error) { thread.showError(describeError(error, words)); }
  };
  /** The signed-in reader's likes, bookmark, editable and pending comments. */
  const loadMe = async () => {
    try { thread.me = await api("GET", `${path}/me`); } catch { thread.me = nobody(); }
    like.set(thread.me.liked, null);
    mark.set(thread.me.bookmarked, null);
    if (section) thread.me.pending.forEach((comment) => thread.tree.add({ ...comment, status: "pending" }, false));
    thread.tree?.repaintAll();
  };
  const signedOut = () => {
    thread.me = nobody();
    like.set(false, null);
    mark.set(false, null);
    thread.tree?.dropPending();
    thread.tree?.repaintAll();
  };
  return { load, loadMe, signedOut };
}

/** Turn the server-rendered section into the live thread: account bar, alert, forms, list. */
function mountSection(thread, section, parts, page) {
  const { words } = thread;
  section.classList.add("quire-live");
  parts.bar = h("div", { class: "quire-bar" });
  parts.alert = h("p", { class: "quire-error", role: "alert", hidden: true });
  parts.auth = h("div", { class: "quire-auth" });
  parts.compose = h("div", { class: "quire-compose" });
  const list = section.querySelector("ol.quire-list") || h("ol", { class: "quire-list" });
  list.setAttribute("tabindex", "-1");
  list.setAttribute("aria-label", words.text("comments"));
  thread.tree = createTree({
    list, words, relativeTime: page.relativeTime, announce: thread.announce,
    actions: (record) => commentActions(thread, record),
    bakedUntil: +section.dataset.quireBakedUntil || 0,
  });
  thread.tree.adoptBaked();
  const write = button(words.text("write"), async () => {
    const form = await thread.openComposer(parts.compose, {
      done: (comment) => { thread.tree.reveal(thread.tree.add(thread.own(comment), true)); },
    });
    if (form) {
      write.hidden = true;
      form.querySelector("textarea").focus();
    }
  }, "quire-write");
  parts.compose.append(write);
  if (!list.isConnected) section.append(list);
  list.before(parts.bar, parts.alert, parts.auth, parts.compose);
}
