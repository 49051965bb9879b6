import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { button, h, liveRegion } from "../src/dom.js";
import { closePage, openPage, until } from "./page.js";

let page;
before(() => { page = openPage(); });
after(() => closePage(page));

test("strings become text, never markup", () => {
  const hostile = "<img src=x onerror=alert(1)>";
  const element = h("p", { text: hostile, title: hostile });
  assert.equal(element.children.length, 0);
  assert.equal(element.textContent, hostile);
  const parent = h("div", null, hostile, null, h("b", null, "bold"));
  assert.equal(parent.querySelector("img"), null);
  assert.equal(parent.innerHTML, "&lt;img src=x onerror=alert(1)&gt;<b>bold</b>");
});

test("attributes: true is present and empty, false and null are left out; on* listens", () => {
  let clicks = 0;
  const element = h("button", { hidden: true, disabled: false, title: null, onclick: () => clicks++, "aria-pressed": "false" });
  assert.equal(element.getAttribute("hidden"), "");
  assert.equal(element.hasAttribute("disabled"), false);
  assert.equal(element.hasAttribute("title"), false);
  assert.equal(element.hasAttribute("onclick"), false);
  element.click();
  assert.equal(clicks, 1);
  const plain = button("Reply", () => {}, "quire-del");
  assert.equal(plain.type, "button"); // never submits a form it sits in
  assert.equal(plain.className, "quire-btn quire-del");
});

test("the live region is polite and says a repeated message again", async () => {
  const host = h("div");
  const announce = liveRegion(host);
  const region = host.querySelector("[role=status]");
  assert.equal(region.getAttribute("aria-live"), "polite");
  announce("Comment posted.");
  await until(() => region.textContent === "Comment posted.");
  announce("Comment posted.");
  assert.equal(region.textContent, ""); // emptied first, so screen readers hear it twice
  await until(() => region.textContent === "Comment posted.");
});
