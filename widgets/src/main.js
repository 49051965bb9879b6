/* Quire reader widgets: comments, likes, bookmarks and counts on static pages.
   A plain script loaded with `defer`; the editor and sign-in forms load on demand
   (editor/). User text only ever goes in as textContent, or as the API's sanitised
   `html` field. This is the entry point: it finds the mount points and starts them. */
import { createApi, describeError } from "./api.js";
import { createAuth } from "./auth.js";
import { fillCounts } from "./counts.js";
import { editorLoader, editorUrl } from "./editor-loader.js";
import { makeWords, pageLanguage, relativeTimeFormatter } from "./i18n.js";
import { READER_WORDS } from "./messages.js";
import { createThread } from "./thread.js";

// Only while this script runs does the page say which <script> element it is.
const script = document.currentScript;
const loadEditor = editorLoader(editorUrl(script, location.href));
const lang = pageLanguage(document);
const words = makeWords(lang, READER_WORDS);
const relativeTime = relativeTimeFormatter(lang);

/** The page's threads: for each id, its comment section (if any) and its like buttons. */
function mountPoints() {
  const byId = new Map();
  for (const element of document.querySelectorAll("[data-quire-thread]")) {
    const id = element.dataset.quireThread;
    if (!byId.has(id)) byId.set(id, { section: null, likeHosts: [] });
    if (element.classList.contains("quire-like")) byId.get(id).likeHosts.push(element);
    else byId.get(id).section = element;
  }
  return [...byId.values()];
}

async function start() {
  const first = document.querySelector("[data-quire-api]");
  const base = ((first && first.dataset.quireApi) || "").replace(/\/+$/, "");
  const api = createApi(base);
  const auth = createAuth(api);
  const editorContext = {
    api, lang, base,
    describe: (error) => describeError(error, words),
    get user() { return auth.user; },
    setUser: auth.setUser,
  };
  const page = { api, auth, words, relativeTime, loadEditor, editorContext };
  const threads = mountPoints().map(({ section, likeHosts }) => createThread(section, likeHosts, page));
  const countElements = [...document.querySelectorAll("[data-quire-count]")];
  if (countElements.length) fillCounts(countElements, api, words);
  if (!threads.length) return;
  await Promise.all(threads.map((thread) => thread.load(true)));
  await auth.load(); // signing in (here or later) loads each thread's per-user state
  // Fresh comments when the reader comes back to the tab; relative times kept current.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) threads.forEach((thread) => thread.load(false));
  });
  setInterval(() => {
    for (const time of document.querySelectorAll(".quire-live time[datetime]")) {
      time.textContent = relativeTime(time.getAttribute("datetime"));
    }
  }, 6e4);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
