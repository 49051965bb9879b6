/* Quire reader widgets: comments, likes, bookmarks and counts on static pages.
   A plain script loaded with `defer`; the editor and sign-in forms load on demand
   (editor/). User text only ever goes in as textContent, or as the API's sanitised
   `html` field. This entry point only finds its own URL and starts the page's widgets. */
"use strict"; // kept by the build: the page script is a classic script, not a module
import { editorLoader, editorUrl } from "./editor-loader.js";
import { startWidgets } from "./widgets.js";

// Only while this script runs does the page say which <script> element it is.
const loadEditor = editorLoader(editorUrl(document.currentScript, location.href));
const start = () => startWidgets(document, loadEditor);

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
