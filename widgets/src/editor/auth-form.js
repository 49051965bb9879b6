/** Sign in or create an account in place, without leaving the article. */
import { button, h } from "../dom.js";
import { makeWords } from "../i18n.js";
import { errorBox, field } from "./fields.js";
import { EDITOR_WORDS } from "./messages.js";

/** Open the form in `host`, replacing one already there.
    options: mode ("signin" or "signup"), reason (why the reader is asked), announce(message),
    done(user) once signed in. */
export function authForm(context, host, options) {
  const words = makeWords(context.lang, EDITOR_WORDS);
  const old = host.querySelector(":scope > form.quire-auth-form");
  if (old) old.remove();
  const parts = authParts(context, options, words);
  const { form, name, email } = parts;
  parts.mode = options.mode || "signin";
  parts.swap.addEventListener("click", () => {
    setMode(parts, words, parts.mode === "signup" ? "signin" : "signup");
    parts.error.set("");
    (parts.mode === "signup" ? name : email).focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(context, options, parts, words);
  });
  setMode(parts, words, parts.mode);
  host.append(form);
  (parts.mode === "signup" ? name : email).focus();
  return form;
}

/** The form's elements; the display name is asked for on sign-up only. */
function authParts(context, options, words) {
  const name = h("input", { type: "text", name: "display_name", autocomplete: "nickname", maxlength: "80", required: true, class: "quire-input" });
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true, class: "quire-input" });
  const password = h("input", { type: "password", name: "password", required: true, class: "quire-input" });
  const title = h("h3", { class: "quire-title", tabindex: "-1" });
  const reason = h("p", { class: "quire-hint" }, options.reason || "");
  const nameField = field(words.text("name"), name);
  const passwordField = field(words.text("password"), password, words.text("pwHint"));
  const error = errorBox();
  const send = h("button", { type: "submit", class: "quire-btn quire-primary" });
  const swap = h("button", { type: "button", class: "quire-link" });
  // A real page (served by the API, works without JavaScript) mails the reset link.
  const forgot = h("a", { href: `${context.base}/api/account/forgot`, class: "quire-link" }, words.text("forgot"));
  const form = h("form", { class: "quire-form quire-auth-form", novalidate: true },
    title, options.reason ? reason : null, nameField, field(words.text("email"), email), passwordField, error.element,
    h("div", { class: "quire-row" }, send, " ", button(words.text("cancel"), () => form.remove()), " ", swap, " ", forgot));
  return { form, name, email, password, title, nameField, passwordField, error, send, swap, forgot };
}

/** Show the sign-in or the sign-up variant of the form. */
function setMode(parts, words, mode) {
  const up = mode === "signup";
  parts.mode = mode;
  parts.title.textContent = parts.send.textContent = words.text(up ? "signup" : "signin");
  parts.swap.textContent = words.text(up ? "toIn" : "toUp");
  parts.nameField.hidden = !up;
  parts.forgot.hidden = up;
  parts.name.required = up;
  parts.password.autocomplete = up ? "new-password" : "current-password";
  parts.passwordField.querySelector(".quire-hint").hidden = !up;
}

/** Check the fields, create the account if asked, sign in, and hand the user over. */
async function submit(context, options, parts, words) {
  const { form, name, email, password, send } = parts;
  const missing = [parts.mode === "signup" ? name : null, email, password].find((input) => input && !input.value.trim());
  if (missing) {
    parts.error.set(words.text("required", missing.labels[0].textContent));
    missing.focus();
    return;
  }
  send.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    if (parts.mode === "signup") {
      await context.api("POST", "/api/auth/signup", { email: email.value.trim(), display_name: name.value.trim(), password: password.value });
    }
    const answer = await context.api("POST", "/api/auth/signin", { email: email.value.trim(), password: password.value });
    form.remove();
    context.setUser(answer.user);
    options.announce && options.announce(words.text(parts.mode === "signup" ? "created" : "welcome", answer.user.display_name));
    options.done && options.done(answer.user);
  } catch (error) {
    parts.error.set(error.code === "invalid_credentials" ? words.text("badLogin") : context.describe(error));
    password.focus();
  } finally {
    send.disabled = false;
    form.removeAttribute("aria-busy");
  }
}
