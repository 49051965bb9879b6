import assert from "node:assert/strict";
import { test } from "node:test";
import { makeWords, pageLanguage, relativeTimeFormatter } from "../src/i18n.js";
import { READER_WORDS } from "../src/messages.js";
import { EDITOR_WORDS } from "../src/editor/messages.js";

test("the page's language is its bare lang code, English by default", () => {
  const page = (lang) => ({ documentElement: { lang } });
  assert.equal(pageLanguage(page("fr-CA")), "fr");
  assert.equal(pageLanguage(page("EN-gb")), "en");
  assert.equal(pageLanguage(page("")), "en");
});

test("texts fill in {n} and fall back to English for an unknown language or word", () => {
  assert.equal(makeWords("fr", READER_WORDS).text("as", "Ada"), "Connecté·e en tant que Ada");
  assert.equal(makeWords("de", READER_WORDS).text("like"), "Like");
  const partial = makeWords("xx", { en: { a: "A {n}" }, xx: {} });
  assert.equal(partial.text("a", 2), "A 2");
  assert.equal(partial.text("missing"), "missing");
});

test("plurals follow each language's rules and write numbers its way", () => {
  const en = makeWords("en", READER_WORDS);
  assert.equal(en.plural("nc", 1), "1 comment");
  assert.equal(en.plural("nc", 0), "0 comments");
  assert.equal(en.plural("nl", 1234), "1,234 likes");
  const fr = makeWords("fr", READER_WORDS);
  assert.equal(fr.plural("nc", 0), "0 commentaire"); // French counts zero as singular
  assert.equal(fr.plural("newc", 2), "2 nouveaux commentaires");
  assert.equal(fr.number(1234), (1234).toLocaleString("fr"));
});

test("every language has every word English has, in both dictionaries", () => {
  for (const dictionary of [READER_WORDS, EDITOR_WORDS]) {
    for (const [lang, words] of Object.entries(dictionary)) {
      assert.deepEqual(Object.keys(words).sort(), Object.keys(dictionary.en).sort(), lang);
    }
  }
});

test("relative times say how long ago, and a time in the future is now", () => {
  const now = Date.parse("2024-05-10T12:00:00Z");
  const ago = relativeTimeFormatter("en", () => now);
  assert.equal(ago("2024-05-10T11:59:30Z"), "now");
  assert.equal(ago("2024-05-10T11:55:00Z"), "5 minutes ago");
  assert.equal(ago("2024-05-10T09:00:00Z"), "3 hours ago");
  assert.equal(ago("2024-05-09T12:00:00Z"), "yesterday");
  assert.equal(ago("2023-05-10T12:00:00Z"), "last year");
  assert.equal(ago("2024-05-11T12:00:00Z"), "now");
  assert.equal(relativeTimeFormatter("fr", () => now)("2024-05-09T12:00:00Z"), "hier");
});
