import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { test } from "node:test";
import { ROOT, buildAll } from "../build.js";

test("the files the theme ships are exactly a fresh build of widgets/src", async () => {
  for (const { file, bytes } of await buildAll()) {
    const name = relative(ROOT, file);
    assert.ok(readFileSync(file).equals(bytes),
      `${name} is not the build of widgets/src: run \`make widgets\` and commit it (never edit it by hand)`);
  }
});

test("the build is reproducible: two builds give the same bytes", async () => {
  const [first, second] = [await buildAll(), await buildAll()];
  assert.deepEqual(first.map((o) => o.bytes.toString("hex")), second.map((o) => o.bytes.toString("hex")));
});

test("the page script is a classic script and the editor a module exporting its two forms", async () => {
  const [page, editor] = (await buildAll()).map((o) => o.bytes.toString("utf8"));
  assert.match(page, /^\/\* Quire reader widgets, built from widgets\/src .*do not edit\. \*\/\n"use strict";\(\(\)=>\{/);
  assert.doesNotMatch(page, /^(import|export)\b/m); // loaded with <script defer>, not type=module
  assert.match(page, /document\.currentScript/);
  assert.match(editor, /export\{\w+ as authForm,\w+ as composer\};\n$/);
  assert.doesNotMatch(page + editor, /widgets\/src\/|\/work\//); // no machine paths in the output
});
