/* Quire reader widgets, the less-used half: the comment editor (with Markdown preview)
   and the sign-in / sign-up forms. Loaded by quire-widgets.js on first need only. */
const D = {
  en: {
    your: "Your comment", yourReply: "Your reply", yourEdit: "Edit your comment",
    post: "Post comment", postReply: "Post reply", save: "Save changes", cancel: "Cancel",
    preview: "Preview", write: "Write", sending: "Sending…", empty: "Write something first.",
    md: "Markdown works: *italic*, **bold**, `code`, [link](https://example.org), > quote.",
    previewEmpty: "Nothing to preview yet.", needIn: "Sign in to post your comment; your text is kept.",
    signin: "Sign in", signup: "Create an account", email: "Email", password: "Password",
    name: "Display name", toUp: "No account yet? Create one", toIn: "Already have an account? Sign in",
    badLogin: "Wrong email or password.", welcome: "Signed in as {n}.",
    created: "Account created and signed in as {n}. Check your email to confirm your address.",
    pwHint: "At least 12 characters.", required: "{n}: this field is required.",
    yourName: "Your name", website: "Website (optional)", hp: "Leave this empty",
    anonOk: "Add your name to comment without an account, or sign in.",
    notify: "Email me when someone replies", forgot: "Forgot password?",
  },
  fr: {
    your: "Votre commentaire", yourReply: "Votre réponse", yourEdit: "Modifier votre commentaire",
    post: "Publier le commentaire", postReply: "Publier la réponse", save: "Enregistrer", cancel: "Annuler",
    preview: "Aperçu", write: "Écrire", sending: "Envoi…", empty: "Écrivez d’abord quelque chose.",
    md: "Markdown accepté : *italique*, **gras**, `code`, [lien](https://example.org), > citation.",
    previewEmpty: "Rien à prévisualiser pour l’instant.",
    needIn: "Connectez-vous pour publier ; votre texte est conservé.",
    signin: "Se connecter", signup: "Créer un compte", email: "Adresse e-mail", password: "Mot de passe",
    name: "Nom affiché", toUp: "Pas encore de compte ? Créez-en un", toIn: "Déjà un compte ? Connectez-vous",
    badLogin: "Adresse e-mail ou mot de passe incorrect.", welcome: "Connecté·e en tant que {n}.",
    created: "Compte créé, connecté·e en tant que {n}. Vérifiez vos e-mails pour confirmer votre adresse.",
    pwHint: "Au moins 12 caractères.", required: "{n} : ce champ est obligatoire.",
    yourName: "Votre nom", website: "Site web (facultatif)", hp: "Laissez ce champ vide",
    anonOk: "Indiquez votre nom pour commenter sans compte, ou connectez-vous.",
    notify: "M’avertir par e-mail des réponses", forgot: "Mot de passe oublié ?",
  },
};
let seq = 0;
const store = (k, v) => {
  try { return v === undefined ? sessionStorage.getItem(k) : sessionStorage.setItem(k, v); } catch { return null; }
};
const words = (Q) => (k, n) => String((D[Q.LANG] || D.en)[k] ?? D.en[k]).replace("{n}", n);

/** A labelled field: <label> + control, tied by id, errors announced through aria-describedby. */
const field = (Q, label, control, hint) => {
  const id = "quire-f" + ++seq;
  control.id = id;
  const wrap = Q.h("div", { class: "quire-field" }, Q.h("label", { for: id }, label), control);
  if (hint) {
    const hid = id + "-hint";
    wrap.append(Q.h("p", { class: "quire-hint", id: hid }, hint));
    control.setAttribute("aria-describedby", hid);
  }
  return wrap;
};

const errorBox = (Q) => {
  const el = Q.h("p", { class: "quire-error", role: "alert", hidden: true });
  return { el, set(msg) { el.textContent = msg || ""; el.hidden = !msg; } };
};

/** The comment editor: write, preview, post / reply / save. Keeps the text on every failure. */
export function composer(Q, host, opts) {
  const w = words(Q);
  const open = host.querySelector(":scope > form.quire-editor");
  if (open) return open;
  const key = `quire:draft:${opts.thread}:${opts.edit ? "e" + opts.edit.id : opts.parent || 0}`;
  const ta = Q.h("textarea", { name: "body", rows: "5", required: true, class: "quire-input" });
  // Shown only once the API says it takes comments without an account (code name_required).
  const who = Q.h("input", { type: "text", name: "name", autocomplete: "name", maxlength: "80", class: "quire-input" });
  const site = Q.h("input", { type: "url", name: "website", autocomplete: "url", class: "quire-input" });
  const hp = Q.h("input", { type: "text", name: "hp", tabindex: "-1", autocomplete: "off", class: "quire-input" });
  const anon = Q.h("div", { class: "quire-anon", hidden: true }, field(Q, w("yourName"), who), field(Q, w("website"), site),
    Q.h("div", { class: "quire-hp", "aria-hidden": "true" }, field(Q, w("hp"), hp)));
  // An edit starts from the Markdown the reader wrote: the API's copy (`bodies` of
  // /me, given as opts.body), else the one kept from posting, else the shown text.
  ta.value = opts.edit ? opts.body ?? opts.edit.body ?? store("quire:src:" + opts.edit.id) ?? opts.text : store(key) ?? "";
  // Reply mails are opt-in per comment, and only an account has an address to mail.
  const ping = Q.h("input", { type: "checkbox", name: "notify_replies" });
  const pingRow = Q.h("label", { class: "quire-notify", hidden: !!opts.edit || !Q.user }, ping, " " + w("notify"));
  const label = opts.edit ? w("yourEdit") : opts.parent ? w("yourReply") : w("your");
  const preview = Q.h("div", { class: "quire-preview quire-body", hidden: true, tabindex: "-1", id: "quire-p" + ++seq });
  const err = errorBox(Q);
  const submit = Q.h("button", { type: "submit", class: "quire-btn quire-primary" },
    opts.edit ? w("save") : opts.parent ? w("postReply") : w("post"));
  // One button switches between writing and the preview; its label says where it goes.
  const toggle = Q.h("button", { type: "button", class: "quire-btn", "aria-controls": preview.id }, w("preview"));
  let previewing = false;
  const row = Q.h("div", { class: "quire-row" }, submit, " ", toggle);
  const form = Q.h("form", { class: "quire-form quire-editor", novalidate: true },
    anon, field(Q, label, ta, w("md")), preview, err.el, row, pingRow); // after the buttons: Tab goes text -> Post
  const close = () => { form.remove(); opts.closed && opts.closed(); };
  if (opts.parent || opts.edit) row.append(" ", Q.btn(w("cancel"), close));

  ta.addEventListener("input", () => {
    err.set("");
    if (!opts.edit) store(key, ta.value);
  });
  ta.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) form.requestSubmit();
    if (ev.key === "Escape" && (opts.parent || opts.edit)) close();
  });
  toggle.addEventListener("click", async () => {
    const on = (previewing = !previewing);
    toggle.textContent = on ? w("write") : w("preview");
    ta.hidden = on;
    preview.hidden = !on;
    if (!on) return ta.focus();
    if (!ta.value.trim()) { preview.textContent = w("previewEmpty"); return; }
    try {
      const r = await Q.api("POST", "/api/comments/preview", { body: ta.value });
      preview.innerHTML = r.html; // sanitised by the API, never built here
    } catch (e) { preview.textContent = ""; err.set(Q.errText(e)); }
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!ta.value.trim()) { err.set(w("empty")); if (!ta.hidden) ta.focus(); return; }
    const signedIn = !!Q.user;
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      const c = opts.edit
        ? await Q.api("PATCH", `/api/comments/${opts.edit.id}`, { body: ta.value })
        : await Q.api("POST", `/api/threads/${encodeURIComponent(opts.thread)}/comments`, {
          body: ta.value, ...(opts.parent ? { parent_id: opts.parent } : {}),
          ...(anon.hidden || Q.user ? {} : { name: who.value, website: site.value || null, hp: hp.value || null }),
          elapsed_ms: Math.round(performance.now()),
          ...(ping.checked && Q.user ? { notify_replies: true } : {}),
        });
      const src = ta.value;
      store(key, "");
      store("quire:src:" + c.id, src);
      ta.value = "";
      if (previewing) toggle.click();
      if (opts.parent || opts.edit) close();
      opts.done(c, src);
    } catch (e) {
      if (e.code === "name_required" && !Q.user) {
        anon.hidden = false;
        err.set(w("anonOk"));
        who.focus();
      } else if (e.status === 401) {
        const why = signedIn ? Q.errText(e) : w("needIn");
        err.set(why);
        if (signedIn) Q.setUser(null);
        opts.needAuth(submit, why);
      } else err.set(Q.errText(e));
    } finally {
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
  host.append(form);
  return form;
}

/** Sign in or create an account in place; `done(user)` runs once signed in. */
export function authForm(Q, host, opts) {
  const w = words(Q);
  let mode = opts.mode || "signin";
  const old = host.querySelector(":scope > form.quire-auth-form");
  if (old) old.remove();
  const name = Q.h("input", { type: "text", name: "display_name", autocomplete: "nickname", maxlength: "80", required: true, class: "quire-input" });
  const email = Q.h("input", { type: "email", name: "email", autocomplete: "email", required: true, class: "quire-input" });
  const pw = Q.h("input", { type: "password", name: "password", required: true, class: "quire-input" });
  const title = Q.h("h3", { class: "quire-title", tabindex: "-1" });
  const reason = Q.h("p", { class: "quire-hint" }, opts.reason || "");
  const nameField = field(Q, w("name"), name);
  const pwField = field(Q, w("password"), pw, w("pwHint"));
  const err = errorBox(Q);
  const submit = Q.h("button", { type: "submit", class: "quire-btn quire-primary" });
  const swap = Q.h("button", { type: "button", class: "quire-link" });
  // A real page (served by the API, works without JavaScript) mails the reset link.
  const forgot = Q.h("a", { href: `${Q.base}/api/account/forgot`, class: "quire-link" }, w("forgot"));
  const form = Q.h("form", { class: "quire-form quire-auth-form", novalidate: true },
    title, opts.reason ? reason : null, nameField, field(Q, w("email"), email), pwField, err.el,
    Q.h("div", { class: "quire-row" }, submit, " ", Q.btn(w("cancel"), () => form.remove()), " ", swap, " ", forgot));
  const setMode = (m) => {
    mode = m;
    const up = m === "signup";
    title.textContent = submit.textContent = up ? w("signup") : w("signin");
    swap.textContent = up ? w("toIn") : w("toUp");
    nameField.hidden = !up;
    forgot.hidden = up;
    name.required = up;
    pw.autocomplete = up ? "new-password" : "current-password";
    pwField.querySelector(".quire-hint").hidden = !up;
  };
  swap.addEventListener("click", () => { setMode(mode === "signup" ? "signin" : "signup"); err.set(""); (mode === "signup" ? name : email).focus(); });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const missing = [mode === "signup" ? name : null, email, pw].find((x) => x && !x.value.trim());
    if (missing) { err.set(w("required", missing.labels[0].textContent)); missing.focus(); return; }
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      if (mode === "signup") {
        await Q.api("POST", "/api/auth/signup", { email: email.value.trim(), display_name: name.value.trim(), password: pw.value });
      }
      const r = await Q.api("POST", "/api/auth/signin", { email: email.value.trim(), password: pw.value });
      form.remove();
      Q.setUser(r.user);
      opts.announce && opts.announce(w(mode === "signup" ? "created" : "welcome", r.user.display_name));
      opts.done && opts.done(r.user);
    } catch (e) {
      err.set(e.code === "invalid_credentials" ? w("badLogin") : Q.errText(e));
      pw.focus();
    } finally {
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
  setMode(mode);
  host.append(form);
  (mode === "signup" ? name : email).focus();
  return form;
}
