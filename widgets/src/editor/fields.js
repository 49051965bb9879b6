/** Form parts shared by the editor and the sign-in form. */
import { h } from "../dom.js";

let lastId = 0;

/** A fresh element id for this page ("quire-f1", "quire-p2", ...). */
export const nextId = (prefix) => prefix + ++lastId;

/** A labelled field: <label> + control tied by id; a hint is read out through aria-describedby. */
export function field(label, control, hint) {
  const id = nextId("quire-f");
  control.id = id;
  const wrap = h("div", { class: "quire-field" }, h("label", { for: id }, label), control);
  if (hint) {
    const hintId = id + "-hint";
    wrap.append(h("p", { class: "quire-hint", id: hintId }, hint));
    control.setAttribute("aria-describedby", hintId);
  }
  return wrap;
}

/** A hidden role=alert paragraph; `set("")` hides it again. */
export function errorBox() {
  const element = h("p", { class: "quire-error", role: "alert", hidden: true });
  return { element, set(message) { element.textContent = message || ""; element.hidden = !message; } };
}

/** Read (no value) or write a sessionStorage entry; null where storage is refused. */
export function stored(key, value) {
  try {
    if (value === undefined) return sessionStorage.getItem(key);
    sessionStorage.setItem(key, value);
  } catch { /* private mode */ }
  return null;
}
