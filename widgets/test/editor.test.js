import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, test } from "node:test";
import { createApi, describeError } from "../src/api.js";
import { authForm, composer } from "../src/editor/index.js";
import { makeWords } from "../src/i18n.js";
import { READER_WORDS } from "../src/messages.js";
import { closePage, openPage, startApi, until } from "./page.js";

let api;
let commentAnswer;
before(async () => {
  api = await startApi({
    "POST /api/threads/t%2F1/comments": () => commentAnswer,
    "POST /api/comments/preview": (body) => [200, { html: `<p><em>${body.body.length} characters</em></p>` }],
    "POST /api/auth/signin": (body) =>
      body.password === "right password" ? [200, { user: { display_name: "Ada" } }] : [401, { code: "invalid_credentials", message: "x" }],
    "POST /api/auth/signup": () => [202, { ok: true }],
  });
});
after(() => api.close());
let page;
beforeEach(() => { page = openPage("<div id=host></div>", { lang: "en" }); });
afterEach(() => closePage(page));

/** What the page script hands the editor, with `user` signed in or not. */
function context(user, lang = "en") {
  const words = makeWords(lang, READER_WORDS);
  const ctx = { api: createApi(api.base), lang, base: api.base, user, describe: (e) => describeError(e, words) };
  ctx.setUser = (next) => { ctx.user = next; };
  return ctx;
}
const host = () => document.querySelector("#host");

test("a draft survives a reload, and one editor per place", () => {
  const first = composer(context(null), host(), { thread: "t/1", done() {} });
  first.querySelector("textarea").value = "Half written";
  first.querySelector("textarea").dispatchEvent(new window.Event("input"));
  assert.equal(sessionStorage.getItem("quire:draft:t/1:0"), "Half written");
  assert.equal(composer(context(null), host(), { thread: "t/1", done() {} }), first);
  first.remove();
  assert.equal(composer(context(null), host(), { thread: "t/1", done() {} }).querySelector("textarea").value, "Half written");
});

test("empty text is refused before anything is sent", async () => {
  const form = composer(context(null), host(), { thread: "t/1", done() {} });
  const sent = api.requests.length;
  form.requestSubmit();
  assert.equal(form.querySelector("[role=alert]").textContent, "Write something first.");
  assert.equal(api.requests.length, sent);
});

test("the preview shows the API's rendering and the button says where it goes", async () => {
  const form = composer(context(null), host(), { thread: "t/1", done() {} });
  const [, previewButton] = form.querySelectorAll(".quire-row button");
  const preview = form.querySelector(".quire-preview");
  assert.equal(previewButton.getAttribute("aria-controls"), preview.id);
  previewButton.click();
  assert.equal(previewButton.textContent, "Write");
  assert.equal(preview.textContent, "Nothing to preview yet.");
  previewButton.click();
  form.querySelector("textarea").value = "*hello*";
  previewButton.click();
  await until(() => preview.querySelector("em"), "the preview");
  assert.equal(preview.textContent, "7 characters");
  assert.equal(form.querySelector("textarea").hidden, true);
});

test("a site that takes comments without an account asks for a name, then sends it", async () => {
  commentAnswer = [400, { code: "name_required", message: "Name, please." }];
  const posted = [];
  const form = composer(context(null), host(), { thread: "t/1", done: (c, markdown) => posted.push([c.id, markdown]) });
  form.querySelector("textarea").value = "Hello";
  form.requestSubmit();
  await until(() => !form.querySelector(".quire-anon").hidden, "the name fields");
  assert.equal(form.querySelector("[role=alert]").textContent, "Add your name to comment without an account, or sign in.");
  assert.equal(document.activeElement, form.querySelector("input[name=name]"));
  form.querySelector("input[name=name]").value = "Grace";
  commentAnswer = [201, { id: 12, status: "approved" }];
  form.requestSubmit();
  await until(() => posted.length === 1, "the comment to be posted");
  assert.deepEqual(posted, [[12, "Hello"]]);
  const body = api.requests.at(-1).body;
  assert.deepEqual([body.name, body.website, body.hp, body.body], ["Grace", null, null, "Hello"]);
  assert.equal(typeof body.elapsed_ms, "number");
  assert.equal(sessionStorage.getItem("quire:src:12"), "Hello");
  assert.equal(form.querySelector("textarea").value, "");
});

test("an anonymous reader who must sign in keeps the text and is shown the sign-in form", async () => {
  commentAnswer = [401, { code: "not_signed_in", message: "Sign in." }];
  const asked = [];
  const form = composer(context(null), host(), { thread: "t/1", done() {}, needAuth: (from, why) => asked.push(why) });
  form.querySelector("textarea").value = "Keep me";
  form.requestSubmit();
  await until(() => asked.length === 1);
  assert.deepEqual(asked, ["Sign in to post your comment; your text is kept."]);
  assert.equal(form.querySelector("textarea").value, "Keep me");
  assert.equal(form.querySelector(".quire-notify").hidden, true); // no address to mail replies to
});

test("a reply form has Cancel and closes on Escape, giving focus back", () => {
  let closed = 0;
  const form = composer(context({ display_name: "Ada" }), host(), { thread: "t/1", parent: 4, done() {}, closed: () => closed++ });
  assert.equal(form.querySelector(".quire-primary").textContent, "Post reply");
  assert.ok([...form.querySelectorAll("button")].some((b) => b.textContent === "Cancel"));
  assert.equal(form.querySelector(".quire-notify").hidden, false);
  form.querySelector("textarea").dispatchEvent(new window.KeyboardEvent("keydown", { key: "Escape" }));
  assert.equal(closed, 1);
  assert.ok(!form.isConnected);
});

test("an edit starts from the reader's Markdown and says Save changes", () => {
  const form = composer(context({ display_name: "Ada" }), host(),
    { thread: "t/1", edit: { id: 5 }, body: "my *text*", text: "my text", done() {} });
  assert.equal(form.querySelector("textarea").value, "my *text*");
  assert.equal(form.querySelector(".quire-primary").textContent, "Save changes");
  assert.equal(form.querySelector("textarea").labels[0].textContent, "Edit your comment");
});

test("the sign-in form: forgot-password link, sign-up switch, and named missing fields", () => {
  const form = authForm(context(null, "fr"), host(), { reason: "Pourquoi" });
  const forgot = form.querySelector("a.quire-link");
  assert.equal(forgot.getAttribute("href"), `${api.base}/api/account/forgot`);
  assert.equal(forgot.textContent, "Mot de passe oublié ?");
  assert.equal(form.querySelector("h3").textContent, "Se connecter");
  assert.equal(document.activeElement, form.querySelector("input[name=email]"));
  assert.equal(form.querySelector("input[name=password]").autocomplete, "current-password");
  form.querySelector("button.quire-link").click();
  assert.equal(form.querySelector("h3").textContent, "Créer un compte");
  assert.equal(forgot.hidden, true);
  assert.equal(form.querySelector("input[name=password]").autocomplete, "new-password");
  assert.equal(document.activeElement, form.querySelector("input[name=display_name]"));
  form.requestSubmit();
  assert.equal(form.querySelector("[role=alert]").textContent, "Nom affiché : ce champ est obligatoire.");
});

test("signing in: a wrong password is said plainly, the right one signs in and announces", async () => {
  const ctx = context(null);
  const announced = [];
  const form = authForm(ctx, host(), { announce: (m) => announced.push(m), done: (user) => announced.push(user.display_name) });
  form.querySelector("input[name=email]").value = "ada@example.org";
  form.querySelector("input[name=password]").value = "wrong password";
  form.requestSubmit();
  await until(() => form.querySelector("[role=alert]").textContent);
  assert.equal(form.querySelector("[role=alert]").textContent, "Wrong email or password.");
  form.querySelector("input[name=password]").value = "right password";
  form.requestSubmit();
  await until(() => announced.length === 2, "the sign-in");
  assert.deepEqual(announced, ["Signed in as Ada.", "Ada"]);
  assert.equal(ctx.user.display_name, "Ada");
  assert.ok(!form.isConnected);
});
