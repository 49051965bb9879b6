/* Builds the reader widgets from src/ into the files the default theme ships:
     node widgets/build.js          write themes/default/static/js/quire-widgets*.js
     node widgets/build.js --check  fail if the shipped files differ from a fresh build
     node widgets/build.js --out D  write the files into folder D instead (for tests)
   The output depends only on src/ and the esbuild version pinned in package-lock.json. */
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(HERE);
const SHIPPED = join(ROOT, "themes", "default", "static", "js");
const BANNER = "/* Quire reader widgets, built from widgets/src by `make widgets`; do not edit. */";

/** The two files: the page script (a classic script, loaded with defer) and the editor
    (an ES module, imported by the page script on first need). */
export const OUTPUTS = [
  { entry: join(HERE, "src", "main.js"), file: join(SHIPPED, "quire-widgets.js"), format: "iife" },
  { entry: join(HERE, "src", "editor", "index.js"), file: join(SHIPPED, "quire-widgets-editor.js"), format: "esm" },
];

/** Build one output in memory; returns its bytes. */
async function buildOne({ entry, format }) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format,
    target: "es2021", // the syntax the sources use (??, ?., ||=); nothing is lowered
    charset: "utf8", // the words stay readable (and smaller) instead of \u escapes
    legalComments: "none",
    banner: { js: BANNER },
    write: false,
    logLevel: "error",
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/** Every output, freshly built: [{ file, bytes }]. */
export async function buildAll() {
  return Promise.all(OUTPUTS.map(async (output) => ({ file: output.file, bytes: await buildOne(output) })));
}

const describe = ({ file, bytes }) =>
  `${relative(ROOT, file)}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`;

async function main(check) {
  const built = await buildAll();
  const stale = [];
  const out = process.argv.indexOf("--out");
  if (out > 0) {
    for (const output of built) writeFileSync(join(resolve(process.argv[out + 1]), basename(output.file)), output.bytes);
    return;
  }
  for (const output of built) {
    let shipped = null;
    try { shipped = readFileSync(output.file); } catch { /* not built yet */ }
    const same = shipped !== null && shipped.equals(output.bytes);
    if (!same && check) stale.push(relative(ROOT, output.file));
    if (!same && !check) writeFileSync(output.file, output.bytes);
    console.log(describe(output) + (same ? "" : check ? " (differs from the shipped file)" : " (written)"));
  }
  if (stale.length) {
    console.error(`${stale.join(", ")} differ from a fresh build of widgets/src: run \`make widgets\` and commit the result.`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.includes("--check"));
