/** A pressed/unpressed button with a count: likes and bookmarks. */
import { describeError } from "./api.js";
import { h } from "./dom.js";

/** A toggle that PUTs/DELETEs `path` and shows `answer[key]` and `answer.likes`.
    `needAuth(button, why)` opens the sign-in form; `announce` speaks failures. */
export function createToggle({ label, className, path, key, api, auth, words, needAuth, announce }) {
  const count = h("span", { class: "quire-n" });
  const element = h("button", { type: "button", class: "quire-btn quire-toggle " + className, "aria-pressed": "false" },
    h("span", { class: "quire-icon", "aria-hidden": "true" }), label, " ", count);
  const toggle = {
    element,
    on: false,
    count: null,
    /** Show pressed or not; a null count keeps the one shown. */
    set(on, total) {
      toggle.on = !!on;
      element.setAttribute("aria-pressed", String(toggle.on));
      if (total != null) toggle.count = total;
      count.textContent = toggle.count == null ? "" : words.number(toggle.count);
    },
  };
  element.addEventListener("click", async () => {
    if (!auth.user) return needAuth(element, words.text("anon"));
    element.disabled = true;
    try {
      const answer = await api(toggle.on ? "DELETE" : "PUT", path, {});
      toggle.set(answer[key], answer.likes);
    } catch (error) {
      if (error.status === 401) {
        auth.setUser(null);
        needAuth(element, words.text("expired"));
      } else announce(describeError(error, words));
    } finally {
      element.disabled = false;
    }
  });
  return toggle;
}
