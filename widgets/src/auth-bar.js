/** The account line above a thread: who is signed in, or the sign-in and sign-up buttons. */
import { describeError } from "./api.js";
import { button, h } from "./dom.js";

/** Redraw `bar` for the reader now signed in (nothing while that is still being asked). */
export function renderAuthBar(thread, bar) {
  const { auth, words } = thread;
  bar.replaceChildren();
  if (auth.user === undefined) return;
  if (auth.user) {
    bar.append(h("span", { text: words.text("as", auth.user.display_name) }), " ",
      button(words.text("signout"), async () => {
        try { await auth.signOut(); } catch (error) { return thread.showError(describeError(error, words)); }
        thread.announce(words.text("out"));
      }));
  } else {
    bar.append(h("span", { text: words.text("anon") }), " ",
      button(words.text("signin"), (event) => thread.openAuth(event.currentTarget, "signin")), " ",
      button(words.text("signup"), (event) => thread.openAuth(event.currentTarget, "signup")));
  }
}
