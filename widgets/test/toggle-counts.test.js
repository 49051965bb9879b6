import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { createApi } from "../src/api.js";
import { createAuth } from "../src/auth.js";
import { fillCounts } from "../src/counts.js";
import { makeWords } from "../src/i18n.js";
import { READER_WORDS } from "../src/messages.js";
import { createToggle } from "../src/toggle.js";
import { closePage, openPage, startApi, until } from "./page.js";

let server;
let page;
let likeStatus = 200;
before(async () => {
  server = await startApi({
    "PUT /api/threads/t/like": () => (likeStatus === 200 ? [200, { liked: true, likes: 1234 }] : [likeStatus, { code: "x", message: "Refused." }]),
    "DELETE /api/threads/t/like": () => [200, { liked: false, likes: 1233 }],
    "GET /api/counts?threads=a,b%2Fc": () => [200, { counts: { a: { comments: 1, likes: 0 }, "b/c": { comments: 2, likes: 5 } } }],
  });
});
after(async () => { await server.close(); await closePage(page); });
beforeEach(() => { page = openPage(); });

function likeButton(user, lang = "en") {
  const auth = createAuth(createApi(server.base), () => localStorage);
  auth.setUser(user);
  const asked = [];
  const said = [];
  const toggle = createToggle({
    label: "Like", className: "quire-like-btn", path: "/api/threads/t/like", key: "liked",
    api: createApi(server.base), auth, words: makeWords(lang, READER_WORDS),
    needAuth: (from, why) => asked.push(why), announce: (m) => said.push(m),
  });
  document.body.append(toggle.element);
  return { toggle, auth, asked, said };
}

test("a signed-out reader who likes is asked to sign in, and nothing is sent", () => {
  const sent = server.requests.length;
  const { toggle, asked } = likeButton(null);
  toggle.element.click();
  assert.deepEqual(asked, ["Sign in to comment and like."]);
  assert.equal(server.requests.length, sent);
});

test("liking and unliking: aria-pressed and the count follow the API's answer", async () => {
  likeStatus = 200;
  const { toggle } = likeButton({ display_name: "Ada" }, "fr");
  toggle.set(false, 7);
  assert.equal(toggle.element.querySelector(".quire-n").textContent, "7");
  toggle.element.click();
  await until(() => toggle.on);
  assert.equal(toggle.element.getAttribute("aria-pressed"), "true");
  assert.equal(toggle.element.querySelector(".quire-n").textContent, (1234).toLocaleString("fr"));
  assert.equal(toggle.element.disabled, false);
  toggle.element.click();
  await until(() => !toggle.on);
  assert.equal(toggle.element.getAttribute("aria-pressed"), "false");
});

test("an expired session signs the reader out and asks again; other failures are announced", async () => {
  const { toggle, auth, asked, said } = likeButton({ display_name: "Ada" });
  likeStatus = 401;
  toggle.element.click();
  await until(() => asked.length === 1);
  assert.equal(auth.user, null);
  assert.match(asked[0], /session has expired/);
  auth.setUser({ display_name: "Ada" });
  likeStatus = 500;
  toggle.element.click();
  await until(() => said.length === 1);
  assert.deepEqual(said, ["Refused."]);
  assert.equal(toggle.on, false);
});

test("list pages: one request for all counts, written into each item's counts slot", async () => {
  document.body.innerHTML = `
    <article data-quire-count="a"><h2>A</h2><p><span class="quire-counts" data-quire-count-for="a">baked</span></p></article>
    <article data-quire-count="b/c"><h2>B</h2></article>
    <span data-quire-count="a"></span>`;
  const elements = [...document.querySelectorAll("[data-quire-count]")];
  await fillCounts(elements, createApi(server.base), makeWords("en", READER_WORDS));
  assert.equal(server.asked().filter((k) => k.startsWith("GET /api/counts")).length, 1);
  assert.equal(elements[0].querySelector(".quire-counts").textContent, "1 comment · 0 likes");
  assert.equal(elements[0].querySelector("h2").textContent, "A"); // the item itself is kept
  assert.equal(elements[1].querySelector(".quire-counts").textContent, "2 comments · 5 likes");
  assert.equal(elements[2].textContent, "1 comment · 0 likes");
});

test("list pages keep the baked counts when the API cannot be reached", async () => {
  document.body.innerHTML = `<p data-quire-count="a"><span class="quire-counts">3 comments</span></p>`;
  await fillCounts([...document.querySelectorAll("[data-quire-count]")], createApi("http://127.0.0.1:9"), makeWords("en", READER_WORDS));
  assert.equal(document.querySelector(".quire-counts").textContent, "3 comments");
});
