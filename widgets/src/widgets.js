/** Every widget of one page: its threads (comments, likes, bookmarks) and its list counts. */
import { createApi, describeError } from "./api.js";
import { createAuth } from "./auth.js";
import { fillCounts } from "./counts.js";
import { makeWords, pageLanguage, relativeTimeFormatter } from "./i18n.js";
import { READER_WORDS } from "./messages.js";
import { createThread } from "./thread.js";

/** The page's threads: for each id, its comment section (if any) and its like buttons. */
function mountPoints(doc) {
  const byId = new Map();
  for (const element of doc.querySelectorAll("[data-quire-thread]")) {
    const id = element.dataset.quireThread;
    if (!byId.has(id)) byId.set(id, { section: null, likeHosts: [] });
    if (element.classList.contains("quire-like")) byId.get(id).likeHosts.push(element);
    else byId.get(id).section = element;
  }
  return [...byId.values()];
}

/** Start the widgets of `doc`; `loadEditor()` imports the editor module on first need.
    Resolves once every thread is loaded and the reader's session is known. */
export async function startWidgets(doc, loadEditor) {
  const lang = pageLanguage(doc);
  const words = makeWords(lang, READER_WORDS);
  const relativeTime = relativeTimeFormatter(lang);
  const first = doc.querySelector("[data-quire-api]");
  const base = ((first && first.dataset.quireApi) || "").replace(/\/+$/, "");
  const api = createApi(base);
  const auth = createAuth(api);
  // What the lazily loaded editor is handed (see editor/index.js).
  const editorContext = {
    api, lang, base,
    describe: (error) => describeError(error, words),
    get user() { return auth.user; },
    setUser: auth.setUser,
  };
  const page = { api, auth, words, relativeTime, loadEditor, editorContext };
  const threads = mountPoints(doc).map(({ section, likeHosts }) => createThread(section, likeHosts, page));
  const countElements = [...doc.querySelectorAll("[data-quire-count]")];
  if (countElements.length) fillCounts(countElements, api, words);
  if (!threads.length) return;
  await Promise.all(threads.map((thread) => thread.load(true)));
  await auth.load(); // signing in (here or later) loads each thread's per-user state
  // Fresh comments when the reader comes back to the tab; relative times kept current.
  doc.addEventListener("visibilitychange", () => {
    if (!doc.hidden) threads.forEach((thread) => thread.load(false));
  });
  setInterval(() => {
    for (const time of doc.querySelectorAll(".quire-live time[datetime]")) {
      time.textContent = relativeTime(time.getAttribute("datetime"));
    }
  }, 6e4);
}
