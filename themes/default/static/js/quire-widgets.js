/* Quire reader widgets: comments, likes, bookmarks and counts on static pages.
   Plain script loaded with `defer`; the editor and sign-in forms load on demand
   (quire-widgets-editor.js). User text only ever goes in as textContent, or as the
   API's sanitised `html` field. */
(() => {
  "use strict";
  const me_ = document.currentScript;
  const SRC = (me_ && me_.src) || location.href;
  // Fingerprinted builds name the editor file in data-quire-editor; else it sits beside us.
  const EDITOR = (me_ && me_.dataset.quireEditor) || new URL("quire-widgets-editor.js", SRC).href;
  const LANG = (document.documentElement.lang || "en").toLowerCase().split("-")[0];
  const D = {
    en: {
      like: "Like", bookmark: "Bookmark", reply: "Reply", edit: "Edit", del: "Delete",
      confirmDel: "Delete this comment?", yes: "Yes, delete", no: "Keep it",
      write: "Write a comment", signin: "Sign in", signup: "Create an account",
      signout: "Sign out", as: "Signed in as {n}", anon: "Sign in to comment and like.",
      edited: "edited", pending: "Awaiting moderation", deleted: "This comment was deleted.",
      guest: "Guest", newc: ["{n} new comment", "{n} new comments"],
      nc: ["{n} comment", "{n} comments"], nl: ["{n} like", "{n} likes"],
      offline: "You seem to be offline. Nothing was lost; try again when you are back online.",
      rate: "Too many requests. Please wait {n} seconds and try again.",
      expired: "Your session has expired. Please sign in again; your text is kept.",
      long: "Your comment is too long. Please shorten it.", window: "The time to edit this comment is over.",
      failed: "Something went wrong", posted: "Comment posted.", queued: "Your comment is awaiting moderation.",
      removed: "Comment deleted.", out: "Signed out.", loading: "Loading…", comments: "Comments",
    },
    fr: {
      like: "J’aime", bookmark: "Marque-page", reply: "Répondre", edit: "Modifier", del: "Supprimer",
      confirmDel: "Supprimer ce commentaire ?", yes: "Oui, supprimer", no: "Le garder",
      write: "Écrire un commentaire", signin: "Se connecter", signup: "Créer un compte",
      signout: "Se déconnecter", as: "Connecté·e en tant que {n}",
      anon: "Connectez-vous pour commenter et aimer.", edited: "modifié",
      pending: "En attente de modération", deleted: "Ce commentaire a été supprimé.",
      guest: "Invité·e", newc: ["{n} nouveau commentaire", "{n} nouveaux commentaires"],
      nc: ["{n} commentaire", "{n} commentaires"], nl: ["{n} j’aime", "{n} j’aime"],
      offline: "Vous semblez hors ligne. Rien n’est perdu ; réessayez une fois reconnecté·e.",
      rate: "Trop de requêtes. Attendez {n} secondes puis réessayez.",
      expired: "Votre session a expiré. Reconnectez-vous ; votre texte est conservé.",
      long: "Votre commentaire est trop long. Raccourcissez-le.",
      window: "Le délai pour modifier ce commentaire est passé.", failed: "Une erreur est survenue",
      posted: "Commentaire publié.", queued: "Votre commentaire est en attente de modération.",
      removed: "Commentaire supprimé.", out: "Déconnecté·e.", loading: "Chargement…",
      comments: "Commentaires",
    },
  };
  const S = D[LANG] || D.en;
  const t = (k, n) => String(S[k] ?? D.en[k] ?? k).replace("{n}", n);
  const PR = new Intl.PluralRules(LANG);
  const plural = (k, n) => (S[k] || D.en[k])[PR.select(n) === "one" ? 0 : 1].replace("{n}", n.toLocaleString(LANG));
  const RTF = new Intl.RelativeTimeFormat(LANG, { numeric: "auto" });
  const UNITS = [["year", 31536e3], ["month", 2592e3], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const rel = (iso) => {
    const s = Math.min(0, (Date.parse(iso) - Date.now()) / 1e3);
    for (const [u, n] of UNITS) if (-s >= n) return RTF.format(Math.round(s / n), u);
    return RTF.format(0, "second");
  };
  const calm = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

  /** Build an element; strings become text nodes, never markup. */
  const h = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    e.append(...kids.filter((x) => x != null));
    return e;
  };
  const btn = (label, on, cls) => h("button", { type: "button", class: "quire-btn " + (cls || ""), onclick: on }, label);

  class ApiError extends Error {
    constructor(status, code, message, retry) {
      super(message || code);
      Object.assign(this, { status, code, retry });
    }
  }
  let BASE = "";
  /** Call the API; JSON in and out; failures become ApiError (status 0 = offline). */
  const api = async (method, path, body) => {
    const init = { method, credentials: BASE ? "include" : "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body || {});
    }
    let r;
    try { r = await fetch(BASE + path, init); } catch { throw new ApiError(0, "offline"); }
    let data = null;
    if (r.status !== 204) try { data = await r.json(); } catch { /* not JSON */ }
    if (!r.ok) {
      throw new ApiError(r.status, (data && data.code) || "http_" + r.status,
        data && typeof data.message === "string" ? data.message : "", +r.headers.get("Retry-After") || 0);
    }
    return data;
  };
  /** What a failure means to the reader, in their language. */
  const errText = (e) => {
    if (!(e instanceof ApiError)) return t("failed");
    if (e.status === 0) return t("offline");
    if (e.status === 429) return t("rate", e.retry || 60);
    if (e.code === "too_long" || e.status === 413) return t("long");
    if (e.code === "edit_window_closed") return t("window");
    if (e.status === 401 && e.code !== "invalid_credentials") return t("expired");
    return e.message || t("failed") + " (" + e.status + ")";
  };

  // Who is signed in. A local hint spares anonymous readers (most of them) a 401 round trip.
  const HINT = "quire:user";
  const st = { user: null, subs: new Set() };
  try { if (localStorage.getItem(HINT)) st.user = undefined; } catch { /* private mode */ }
  const setUser = (u) => {
    st.user = u;
    try { u ? localStorage.setItem(HINT, "1") : localStorage.removeItem(HINT); } catch { /* private mode */ }
    st.subs.forEach((f) => f());
  };
  const loadUser = async () => {
    if (st.user !== undefined) return; // no hint: anonymous
    try { setUser((await api("GET", "/api/auth/me")).user); } catch (e) { setUser(null); }
  };

  let edP = null;
  const editor = () => (edP ||= import(EDITOR).catch((e) => { edP = null; throw new ApiError(0, "offline"); }));

  /** The polite live region of a widget: announces results and new comments. */
  const liveRegion = (host) => {
    const r = h("div", { class: "quire-sr", role: "status", "aria-live": "polite" });
    host.append(r);
    return (msg) => { r.textContent = ""; setTimeout(() => { r.textContent = msg; }, 50); };
  };

  /** Q: what the lazily loaded editor needs from us. */
  const Q = { h, btn, api, errText, t, LANG, ApiError, get user() { return st.user; }, get base() { return BASE; }, setUser };

  /** A toggle (like / bookmark) with aria-pressed and an optional count. */
  const toggle = (label, cls, path, key, onNeedAuth, announce) => {
    const n = h("span", { class: "quire-n" });
    const b = h("button", { type: "button", class: "quire-btn quire-toggle " + cls, "aria-pressed": "false" },
      h("span", { class: "quire-icon", "aria-hidden": "true" }), label, " ", n);
    const o = {
      el: b, on: false, count: null,
      set(on, count) {
        o.on = !!on; b.setAttribute("aria-pressed", String(o.on));
        if (count != null) o.count = count;
        n.textContent = o.count == null ? "" : o.count.toLocaleString(LANG);
      },
    };
    b.addEventListener("click", async () => {
      if (!st.user) return onNeedAuth(b, t("anon"));
      b.disabled = true;
      try {
        const r = await api(o.on ? "DELETE" : "PUT", path, {});
        o.set(r[key], r.likes);
      } catch (e) {
        if (e.status === 401) { setUser(null); onNeedAuth(b, t("expired")); } else announce(errText(e));
      } finally { b.disabled = false; }
    });
    return o;
  };

  /** One article's comment thread, with its like and bookmark buttons. */
  const thread = (section, likeHosts) => {
    const id = section ? section.dataset.quireThread : likeHosts[0].dataset.quireThread;
    const T = encodeURIComponent(id);
    let announce = () => {}; // set once the live region is in the page
    const nodes = new Map(); // comment id -> {li, c}
    let me = { liked_comments: [], editable: [], pending: [] };
    let last = section ? +section.dataset.quireBakedUntil || 0 : 0;
    let bar, alertEl, auth, compose, list;

    const needAuth = async (from, why) => {
      const host = auth || from.parentElement;
      try {
        const ed = await editor();
        ed.authForm(Q, host, { reason: why || t("anon"), announce, done: () => from.focus() });
      } catch (e) { announce(errText(e)); }
    };
    const say = (m) => announce(m);
    const like = toggle(t("like"), "quire-like-btn", `/api/threads/${T}/like`, "liked", needAuth, say);
    const mark = toggle(t("bookmark"), "quire-mark-btn", `/api/threads/${T}/bookmark`, "bookmarked", needAuth, say);
    for (const host of likeHosts) {
      like.set(false, +host.dataset.quireLikes || 0);
      host.replaceChildren(like.el, " ", mark.el);
    }
    announce = liveRegion(section || likeHosts[0]);

    const showError = (msg) => {
      if (!alertEl) return msg && announce(msg);
      alertEl.textContent = msg || "";
      alertEl.hidden = !msg;
    };

    const renderBar = () => {
      if (!bar) return;
      bar.replaceChildren();
      if (st.user === undefined) return; // still asking who this is
      if (st.user) {
        bar.append(h("span", { text: t("as", st.user.display_name) }), " ",
          btn(t("signout"), async () => {
            try { await api("POST", "/api/auth/signout", {}); } catch (e) { if (e.status !== 401) return showError(errText(e)); }
            setUser(null); announce(t("out"));
          }));
      } else {
        bar.append(h("span", { text: t("anon") }), " ",
          btn(t("signin"), (ev) => openAuth(ev.currentTarget, "signin")), " ",
          btn(t("signup"), (ev) => openAuth(ev.currentTarget, "signup")));
      }
    };
    const openAuth = async (from, mode) => {
      try { (await editor()).authForm(Q, auth, { mode, announce, done: () => compose.querySelector("textarea,button:not([hidden])")?.focus() }); }
      catch (e) { showError(errText(e)); }
    };

    const openComposer = async (host, opts) => {
      try {
        const ed = await editor();
        return ed.composer(Q, host, { thread: id, needAuth: (b, why) => needAuth(b, why), announce, ...opts });
      } catch (e) { showError(errText(e)); }
    };

    const byte = (c) => {
      const a = c.author;
      const who = a && a.website && /^https?:\/\//i.test(a.website)
        ? h("a", { href: a.website, rel: "ugc nofollow noopener", class: "quire-who" }, a.display_name)
        : h("span", { class: "quire-who" }, a ? a.display_name : c.deleted ? "" : t("guest"));
      const time = h("time", { datetime: c.created_at, title: new Date(c.created_at).toLocaleString(LANG) }, rel(c.created_at));
      return h("header", { class: "quire-meta" }, who, " ", time,
        c.edited_at ? h("span", { class: "quire-edited", title: new Date(c.edited_at).toLocaleString(LANG) }, " · " + t("edited")) : null,
        c.status === "pending" ? h("span", { class: "quire-badge" }, t("pending")) : null);
    };

    const actions = (rec) => {
      const { c, li } = rec;
      const box = h("div", { class: "quire-actions" });
      if (c.deleted) return box;
      const cl = toggle(t("like"), "quire-like-btn", `/api/comments/${c.id}/like`, "liked", needAuth, say);
      cl.set(me.liked_comments.includes(c.id), c.likes || 0);
      box.append(cl.el);
      if (c.status !== "pending") {
        box.append(" ", btn(t("reply"), async (ev) => {
          const from = ev.currentTarget;
          const slot = li.querySelector(":scope > .quire-slot");
          const form = await openComposer(slot, {
            parent: c.id,
            closed: () => from.focus(),
            done: (nc) => { show(add(own(nc), true), true); },
          });
          form && form.querySelector("textarea").focus();
        }));
      }
      if (me.editable.includes(c.id)) {
        box.append(" ", btn(t("edit"), async (ev) => {
          const from = ev.currentTarget;
          const slot = li.querySelector(":scope > .quire-slot");
          const bodyEl = li.querySelector(":scope > article .quire-body");
          const form = await openComposer(slot, {
            edit: c, body: me.bodies?.[c.id], text: bodyEl.innerText.trim(), // text: when no Markdown is known
            closed: () => from.isConnected && from.focus(),
            done: (nc, src) => { if (me.bodies) me.bodies[nc.id] = src; rec.c = nc; paint(rec); show(rec, true); },
          });
          form && form.querySelector("textarea").focus();
        }), " ", btn(t("del"), () => confirmDelete(rec, box), "quire-del"));
      }
      return box;
    };

    const confirmDelete = (rec, box) => {
      const no = btn(t("no"), () => {
        const again = actions(rec);
        box.replaceWith(again);
        again.querySelector(".quire-del").focus(); // back where the reader was
      });
      const yes = btn(t("yes"), async () => {
        yes.disabled = true;
        try {
          await api("DELETE", `/api/comments/${rec.c.id}`, {});
          if (rec.li.querySelector(".quire-replies > li")) { rec.c = { ...rec.c, deleted: true, author: null, html: "" }; paint(rec); }
          else { rec.li.remove(); nodes.delete(rec.c.id); }
          announce(t("removed")); list.focus();
        } catch (e) {
          yes.disabled = false;
          if (e.status === 401) { setUser(null); needAuth(yes, t("expired")); return; }
          if (e.code === "edit_window_closed") { me.editable = me.editable.filter((x) => x !== rec.c.id); paint(rec); }
          showError(errText(e));
        }
      }, "quire-danger");
      box.replaceChildren(h("span", { text: t("confirmDel") }), " ", yes, " ", no);
      yes.focus();
    };

    /** (Re)draw one comment, keeping its replies and any open form. */
    const paint = (rec) => {
      const { c, li } = rec;
      const body = h("div", { class: "quire-body" });
      if (c.deleted) body.append(h("p", { class: "quire-gone", text: t("deleted") }));
      else body.innerHTML = c.html; // sanitised by the API (nh3), never built here
      const art = h("article", { tabindex: "-1", "aria-label": c.author ? c.author.display_name : t("deleted") }, byte(c), body, actions(rec));
      const old = li.querySelector(":scope > article");
      old ? old.replaceWith(art) : li.prepend(art);
      li.classList.toggle("quire-is-pending", c.status === "pending");
    };

    /** Place a comment under its parent (or at the end); returns its record. */
    const add = (c, fresh) => {
      let rec = nodes.get(c.id);
      if (rec) { rec.c = c; paint(rec); return rec; }
      const li = h("li", { class: "quire-c" + (fresh ? " quire-new" : ""), id: "comment-" + c.id, "data-quire-comment": c.id },
        h("div", { class: "quire-slot" }), h("ol", { class: "quire-replies" }));
      rec = { c, li };
      nodes.set(c.id, rec);
      paint(rec);
      const parent = c.parent_id != null && nodes.get(c.parent_id);
      (parent ? parent.li.querySelector(":scope > .quire-replies") : list).append(li);
      if (c.id > last && c.status !== "pending") last = c.id;
      return rec;
    };
    const repaintAll = () => nodes.forEach(paint);
    const own = (c) => { if (st.user) me.editable.push(c.id); return c; }; // editable at once
    const show = (rec, focus) => {
      rec.li.scrollIntoView({ block: "nearest", behavior: calm() ? "auto" : "smooth" });
      if (focus) rec.li.querySelector(":scope > article").focus({ preventScroll: true });
      announce(t(rec.c.status === "pending" ? "queued" : "posted"));
    };

    const load = async (quiet) => {
      try {
        // The whole thread, never `?since=`: baked comments carry counts and text frozen at
        // publishing, which the API's answer must replace (one URL per thread caches best too).
        const r = await api("GET", `/api/threads/${T}/comments`);
        like.set(like.on, r.likes);
        if (!section) return; // a like button without a thread on this page
        const fresh = r.comments.filter((c) => !nodes.has(c.id));
        r.comments.forEach((c) => add(c, !quiet));
        if (fresh.length && (!quiet || last)) announce(plural("newc", fresh.length));
      } catch (e) { showError(errText(e)); }
    };
    const loadMe = async () => {
      try {
        me = await api("GET", `/api/threads/${T}/me`);
      } catch (e) { me = { liked_comments: [], editable: [], pending: [] }; }
      like.set(me.liked, null);
      mark.set(me.bookmarked, null);
      if (section) me.pending.forEach((c) => add({ ...c, status: "pending" }, false));
      repaintAll();
    };

    if (section) {
      section.classList.add("quire-live");
      bar = h("div", { class: "quire-bar" });
      alertEl = h("p", { class: "quire-error", role: "alert", hidden: true });
      auth = h("div", { class: "quire-auth" });
      compose = h("div", { class: "quire-compose" });
      list = section.querySelector("ol.quire-list") || h("ol", { class: "quire-list" });
      list.setAttribute("tabindex", "-1");
      list.setAttribute("aria-label", t("comments"));
      // Baked comments (server HTML) become live records, refreshed by the first load.
      for (const li of list.querySelectorAll("li[data-quire-comment]")) {
        const c = JSON.parse(li.dataset.quireJson || "null");
        if (!c) continue;
        if (!li.querySelector(":scope > .quire-slot")) li.append(h("div", { class: "quire-slot" }));
        if (!li.querySelector(":scope > .quire-replies")) li.append(h("ol", { class: "quire-replies" }));
        const rec = { c, li };
        nodes.set(c.id, rec);
        paint(rec);
      }
      const write = btn(t("write"), async () => {
        const form = await openComposer(compose, { done: (c) => { show(add(own(c), true)); } });
        if (form) { write.hidden = true; form.querySelector("textarea").focus(); }
      }, "quire-write");
      compose.append(write);
      if (!list.isConnected) section.append(list);
      list.before(bar, alertEl, auth, compose);
    }

    const signedOut = () => {
      me = { liked_comments: [], editable: [], pending: [] };
      like.set(false, null);
      mark.set(false, null);
      nodes.forEach((rec, k) => { if (rec.c.status === "pending") { rec.li.remove(); nodes.delete(k); } });
      repaintAll();
    };
    st.subs.add(() => { renderBar(); st.user ? loadMe() : signedOut(); });
    renderBar();
    return { load, loadMe, get last() { return last; } };
  };

  /** List pages: comment and like counts for every post, in one batch request. */
  const counts = async (els) => {
    const ids = [...new Set(els.map((e) => e.dataset.quireCount))];
    try {
      const r = await api("GET", "/api/counts?threads=" + ids.map(encodeURIComponent).join(","));
      for (const e of els) {
        const c = r.counts[e.dataset.quireCount];
        // Write into the item's counts slot; never wipe a whole post item.
        let slot = e.querySelector("[data-quire-count-for], .quire-counts");
        if (!slot && e.children.length) e.append((slot = h("span", { class: "quire-counts" })));
        if (c) (slot || e).textContent = plural("nc", c.comments) + " · " + plural("nl", c.likes);
      }
    } catch { /* counts are a nicety: keep the baked text */ }
  };

  const start = async () => {
    const first = document.querySelector("[data-quire-api]");
    BASE = ((first && first.dataset.quireApi) || "").replace(/\/+$/, "");
    const byId = new Map();
    for (const el of document.querySelectorAll("[data-quire-thread]")) {
      const k = el.dataset.quireThread;
      if (!byId.has(k)) byId.set(k, { section: null, likes: [] });
      el.classList.contains("quire-like") ? byId.get(k).likes.push(el) : (byId.get(k).section = el);
    }
    const threads = [...byId.values()].map((v) => thread(v.section, v.likes));
    const countEls = [...document.querySelectorAll("[data-quire-count]")];
    if (countEls.length) counts(countEls);
    if (!threads.length) return;
    await Promise.all(threads.map((x) => x.load(true)));
    await loadUser(); // signing in (here or later) loads each thread's per-user state
    // Fresh comments when the reader comes back to the tab; relative times kept current.
    document.addEventListener("visibilitychange", () => { if (!document.hidden) threads.forEach((x) => x.load(false)); });
    setInterval(() => document.querySelectorAll(".quire-live time[datetime]").forEach((e) => { e.textContent = rel(e.getAttribute("datetime")); }), 6e4);
  };
  document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", start) : start();
})();
