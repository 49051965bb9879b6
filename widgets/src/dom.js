/** Building page elements: strings always become text, never markup. */

/** An element with attributes, `on*` listeners, `text` content and children. */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (name === "text") element.textContent = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter((child) => child != null));
  return element;
}

/** A plain button (never a form submitter) that runs `onClick`. */
export function button(label, onClick, className) {
  return h("button", { type: "button", class: "quire-btn " + (className || ""), onclick: onClick }, label);
}

/** A polite live region appended to `host`; returns the function that announces a message. */
export function liveRegion(host) {
  const region = h("div", { class: "quire-sr", role: "status", "aria-live": "polite" });
  host.append(region);
  // Emptied first and filled a moment later, so the same message twice is read twice.
  return (message) => {
    region.textContent = "";
    setTimeout(() => { region.textContent = message; }, 50);
  };
}

/** Whether the reader asked for less motion (then scrolling jumps instead of gliding). */
export function prefersReducedMotion() {
  return matchMedia("(prefers-reduced-motion: reduce)").matches;
}
