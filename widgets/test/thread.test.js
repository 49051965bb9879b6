import assert from "node:assert/strict";
import { after, before, beforeEach, afterEach, test } from "node:test";
import { startWidgets } from "../src/widgets.js";
import { closePage, openPage, startApi, until } from "./page.js";

const ADA = { id: 7, display_name: "Ada" };
const comment = (id, extra) => ({
  id, parent_id: null, author: { display_name: "Grace", website: "https://grace.example" }, html: `<p>Comment ${id}</p>`,
  created_at: "2024-01-01T10:00:00Z", edited_at: null, likes: 0, status: "approved", ...extra,
});
let api;
let me;
let extra = []; // comments posted elsewhere since the page was loaded
before(async () => {
  api = await startApi({
    "GET /api/threads/t1/comments": () =>
      [200, { likes: 5, comments: [comment(1, { likes: 2 }), comment(2, { parent_id: 1, author: ADA }), ...extra] }],
    "GET /api/auth/me": () => [200, { user: ADA }],
    "GET /api/threads/t1/me": () => [200, me],
    "DELETE /api/comments/1": () => [204],
    "DELETE /api/comments/2": () => [204],
    "POST /api/threads/t1/comments": (body) => [201, comment(9, { parent_id: body.parent_id, author: ADA, html: "<p>Thanks!</p>" })],
    "POST /api/auth/signout": () => [204],
  });
});
after(() => api.close());
let page;
beforeEach(() => {
  extra = [];
  me = { liked: true, bookmarked: false, liked_comments: [2], editable: [1, 2], bodies: { 2: "my *reply*" },
    pending: [comment(3, { author: ADA, html: "<p>Held</p>" })] };
});
afterEach(() => closePage(page));

/** An article page as the theme bakes it: a like button and a comment section with comment 1. */
async function article({ signedIn }) {
  page = openPage(`
    <article><h1>Post</h1><div class="quire-like" data-quire-thread="t1" data-quire-likes="3"></div></article>
    <section id="comments" class="quire-comments" data-quire-thread="t1" data-quire-api="${api.base}/" data-quire-baked-until="1">
      <h2>Comments</h2>
      <ol class="quire-list"><li class="quire-c" id="comment-1" data-quire-comment="1"
        data-quire-json='${JSON.stringify(comment(1))}'><article><p>Comment 1, as baked</p></article></li></ol>
    </section>`);
  if (signedIn) localStorage.setItem("quire:user", "1");
  await startWidgets(document, () => import("../src/editor/index.js"));
  if (signedIn) await until(() => document.querySelector(".quire-bar").textContent.includes("Ada"), "the signed-in bar");
  return document.querySelector("#comments");
}
const said = (section) => section.querySelector("[role=status]").textContent;
const buttonsOf = (id) => [...document.querySelectorAll(`#comment-${id} > article .quire-actions button`)].map((b) => b.textContent.trim());

test("an anonymous reader sees the live thread without any per-reader request", async () => {
  const section = await article({ signedIn: false });
  assert.equal(document.querySelector(".quire-like .quire-like-btn .quire-n").textContent, "5");
  const baked = document.querySelector("#comments li[data-quire-comment='1']");
  assert.equal(baked.querySelector(":scope > article .quire-body").textContent, "Comment 1"); // the API's text
  assert.equal(baked.querySelector(":scope > article").getAttribute("aria-label"), "Grace");
  assert.equal(baked.querySelector(".quire-who").getAttribute("rel"), "ugc nofollow noopener");
  const reply = baked.querySelector(":scope > .quire-replies > li");
  assert.equal(reply.id, "comment-2");
  assert.deepEqual(buttonsOf(1), ["Like 2", "Reply"]);
  assert.match(section.querySelector(".quire-bar").textContent, /Sign in to comment and like\. Sign in Create an account/);
  assert.equal(section.querySelector(".quire-list").getAttribute("aria-label"), "Comments");
  await until(() => said(section) === "1 new comment", "the new-comment announcement");
  assert.ok(!api.asked().some((k) => k.includes("/me")));
});

test("a signed-in reader gets their likes, their held comment and their edit and delete buttons", async () => {
  const section = await article({ signedIn: true });
  await until(() => document.querySelector("#comment-3"), "the held comment");
  assert.match(section.querySelector(".quire-bar").textContent, /Signed in as Ada Sign out/);
  assert.equal(document.querySelector(".quire-like .quire-like-btn").getAttribute("aria-pressed"), "true");
  assert.equal(document.querySelector(".quire-like .quire-mark-btn").getAttribute("aria-pressed"), "false");
  assert.deepEqual(buttonsOf(2), ["Like 0", "Reply", "Edit", "Delete"]);
  assert.equal(document.querySelector("#comment-2 .quire-like-btn").getAttribute("aria-pressed"), "true");
  const held = document.querySelector("#comment-3");
  assert.ok(held.classList.contains("quire-is-pending"));
  assert.equal(held.querySelector(".quire-badge").textContent, "Awaiting moderation");
  assert.deepEqual(buttonsOf(3), ["Like 0"]); // no reply to a comment still held
});

test("deleting asks first; 'Keep it' puts the buttons back with focus on Delete", async () => {
  await article({ signedIn: true });
  await until(() => buttonsOf(2).includes("Delete"));
  document.querySelector("#comment-2 .quire-del").click();
  const row = document.querySelector("#comment-2 .quire-actions");
  assert.match(row.textContent, /^Delete this comment\? Yes, delete Keep it$/);
  assert.equal(document.activeElement.textContent, "Yes, delete");
  [...row.querySelectorAll("button")].find((b) => b.textContent === "Keep it").click();
  assert.equal(document.activeElement, document.querySelector("#comment-2 .quire-del"));
  assert.ok(!api.asked().includes("DELETE /api/comments/2"));
});

test("a deleted comment with replies stays as a marker; one without replies goes", async () => {
  const section = await article({ signedIn: true });
  await until(() => buttonsOf(1).includes("Delete"));
  document.querySelector("#comment-1 > article .quire-del").click();
  document.querySelector("#comment-1 > article .quire-danger").click();
  await until(() => document.querySelector("#comment-1 .quire-gone"), "the deleted marker");
  assert.equal(document.querySelector("#comment-1 > article").getAttribute("aria-label"), "This comment was deleted.");
  assert.ok(document.querySelector("#comment-1 #comment-2"), "the reply is kept");
  document.querySelector("#comment-2 .quire-del").click();
  document.querySelector("#comment-2 .quire-danger").click();
  await until(() => !document.querySelector("#comment-2"), "the reply to go");
  assert.equal(document.activeElement, section.querySelector(".quire-list"));
  await until(() => said(section) === "Comment deleted.");
});

test("a reply posted from the editor appears under its parent, focused and announced", async () => {
  const section = await article({ signedIn: true });
  await until(() => buttonsOf(1).includes("Reply"));
  [...document.querySelectorAll("#comment-1 > article button")].find((b) => b.textContent === "Reply").click();
  await until(() => document.querySelector("#comment-1 > .quire-slot textarea"), "the reply form");
  const form = document.querySelector("#comment-1 > .quire-slot form");
  assert.equal(form.querySelector("textarea").labels[0].textContent, "Your reply");
  assert.equal(document.activeElement, form.querySelector("textarea"));
  form.querySelector("textarea").value = "Thanks!";
  form.requestSubmit();
  await until(() => document.querySelector("#comment-1 > .quire-replies > #comment-9"), "the reply");
  const sent = api.requests.find((r) => r.key === "POST /api/threads/t1/comments").body;
  assert.equal(sent.parent_id, 1);
  assert.equal(sent.body, "Thanks!");
  assert.ok(!document.querySelector("#comment-1 > .quire-slot form"), "the form closes");
  assert.equal(document.activeElement, document.querySelector("#comment-9 > article"));
  assert.deepEqual(buttonsOf(9), ["Like 0", "Reply", "Edit", "Delete"]); // one's own, editable at once
  await until(() => said(section) === "Comment posted.");
});

test("signing out forgets the reader's held comments, likes and edit buttons", async () => {
  const section = await article({ signedIn: true });
  await until(() => document.querySelector("#comment-3"));
  [...section.querySelectorAll(".quire-bar button")].find((b) => b.textContent === "Sign out").click();
  await until(() => !document.querySelector("#comment-3"), "the held comment to go");
  assert.deepEqual(buttonsOf(2), ["Like 0", "Reply"]);
  assert.equal(document.querySelector(".quire-like .quire-like-btn").getAttribute("aria-pressed"), "false");
  assert.match(section.querySelector(".quire-bar").textContent, /^Sign in to comment/);
  assert.equal(localStorage.getItem("quire:user"), null);
  await until(() => said(section) === "Signed out.");
});

test("a page with only a like button shows the live count and no comment list", async () => {
  page = openPage(`<div class="quire-like" data-quire-thread="t1" data-quire-api="${api.base}" data-quire-likes="3"></div>`);
  await startWidgets(document, () => import("../src/editor/index.js"));
  const host = document.querySelector(".quire-like");
  assert.equal(host.querySelector(".quire-n").textContent, "5");
  assert.equal(document.querySelector("ol"), null);
  assert.equal(host.querySelectorAll("button").length, 2);
  assert.ok(host.querySelector("[role=status]"), "a live region for what the buttons say");
});

test("coming back to the tab shows the comments written meanwhile, and says how many", async () => {
  const section = await article({ signedIn: false });
  await until(() => said(section) === "1 new comment");
  extra = [comment(20), comment(21, { parent_id: 2 })];
  document.dispatchEvent(new window.Event("visibilitychange"));
  await until(() => document.querySelector("#comment-21"), "the new comments");
  assert.ok(document.querySelector("#comment-2 > .quire-replies > #comment-21"));
  assert.ok(document.querySelector("#comment-20").classList.contains("quire-new"));
  assert.equal(document.querySelector(".quire-list").lastElementChild.id, "comment-20");
  await until(() => said(section) === "2 new comments", "the announcement");
});
