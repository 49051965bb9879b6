/** One comment as the reader sees it: who and when, the text, then its actions. */
import { h } from "./dom.js";

/** The comment's header: author (linked to their website when it is http/https), time, state. */
export function byline(comment, words, relativeTime) {
  const author = comment.author;
  const who = author && author.website && /^https?:\/\//i.test(author.website)
    ? h("a", { href: author.website, rel: "ugc nofollow noopener", class: "quire-who" }, author.display_name)
    : h("span", { class: "quire-who" }, author ? author.display_name : comment.deleted ? "" : words.text("guest"));
  const time = h("time", { datetime: comment.created_at, title: words.dateTime(comment.created_at) },
    relativeTime(comment.created_at));
  return h("header", { class: "quire-meta" }, who, " ", time,
    comment.edited_at
      ? h("span", { class: "quire-edited", title: words.dateTime(comment.edited_at) }, " · " + words.text("edited"))
      : null,
    comment.status === "pending" ? h("span", { class: "quire-badge" }, words.text("pending")) : null);
}

/** The comment's text: the API's sanitised HTML, or a note that it was deleted. */
export function commentBody(comment, words) {
  const body = h("div", { class: "quire-body" });
  if (comment.deleted) body.append(h("p", { class: "quire-gone", text: words.text("deleted") }));
  else body.innerHTML = comment.html; // sanitised by the API (nh3), never built here
  return body;
}

/** The focusable <article> of one comment, named by its author for screen readers. */
export function commentArticle(comment, words, relativeTime, actions) {
  const name = comment.author ? comment.author.display_name : words.text("deleted");
  return h("article", { tabindex: "-1", "aria-label": name },
    byline(comment, words, relativeTime), commentBody(comment, words), actions);
}
