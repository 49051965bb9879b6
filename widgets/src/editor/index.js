/* Quire reader widgets, the less-used half: the comment editor (with Markdown preview)
   and the sign-in / sign-up forms. Loaded by quire-widgets.js on first need only, and
   handed a context: { api, describe(error), lang, base, user, setUser(user) }. */
export { authForm } from "./auth-form.js";
export { composer } from "./composer.js";
