import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../src/api.js";
import { editorLoader, editorUrl } from "../src/editor-loader.js";

const script = (src, editor) => ({ src, dataset: editor ? { quireEditor: editor } : {} });

test("the editor's URL: the fingerprinted name the page gives, else beside the script", () => {
  assert.equal(editorUrl(script("https://blog.example/assets/js/quire-widgets.1a2b.js", "/assets/js/quire-widgets-editor.3c4d.js"),
    "https://blog.example/posts/a/"), "/assets/js/quire-widgets-editor.3c4d.js");
  assert.equal(editorUrl(script("https://cdn.example/js/quire-widgets.js"), "https://blog.example/posts/a/"),
    "https://cdn.example/js/quire-widgets-editor.js");
  assert.equal(editorUrl(null, "https://blog.example/posts/a/"), "https://blog.example/posts/a/quire-widgets-editor.js");
});

test("the editor is imported once, and a failed import is retried on the next need", async () => {
  const editor = new URL("../src/editor/index.js", import.meta.url).href;
  const load = editorLoader(editor);
  assert.equal(load(), load());
  assert.equal(typeof (await load()).composer, "function");
  const missing = editorLoader(new URL("./no-such-editor.js", import.meta.url).href);
  const first = missing();
  const failure = await first.catch((error) => error);
  assert.ok(failure instanceof ApiError);
  assert.equal(failure.status, 0); // the reader is told they seem to be offline
  const second = missing();
  assert.notEqual(second, first);
  await second.catch(() => {});
});
