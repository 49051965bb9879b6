/** The editor and sign-in forms, loaded on first need (most readers never write). */
import { ApiError } from "./api.js";

/** The URL of the editor file: named by fingerprinted builds, else beside this script. */
export function editorUrl(script, pageUrl) {
  return (script && script.dataset.quireEditor) || new URL("quire-widgets-editor.js", (script && script.src) || pageUrl).href;
}

/** A function that imports the editor module once; a failed import is retried next time. */
export function editorLoader(url) {
  let pending = null;
  return () => (pending ||= import(url).catch(() => {
    pending = null;
    throw new ApiError(0, "offline");
  }));
}
