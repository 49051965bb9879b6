/** The comment list of a thread: one record { comment, item } per comment, replies nested. */
import { commentArticle } from "./comment-view.js";
import { h, prefersReducedMotion } from "./dom.js";

/** The tree under `list` (an <ol>); `actions(record)` draws a comment's buttons.
    `bakedUntil` is the newest published comment id the page already shows. */
export function createTree({ list, words, relativeTime, announce, actions, bakedUntil }) {
  let last = bakedUntil; // the newest published comment shown
  const records = new Map(); // comment id -> { comment, item }

  /** (Re)draw one comment, keeping its replies and any open form. */
  const paint = (record) => {
    const { comment, item } = record;
    const article = commentArticle(comment, words, relativeTime, actions(record));
    const old = item.querySelector(":scope > article");
    if (old) old.replaceWith(article);
    else item.prepend(article);
    item.classList.toggle("quire-is-pending", comment.status === "pending");
  };

  /** Place a comment under its parent (or at the end), or redraw it if known; returns its record. */
  const add = (comment, fresh) => {
    let record = records.get(comment.id);
    if (record) {
      record.comment = comment;
      paint(record);
      return record;
    }
    const item = h("li", { class: "quire-c" + (fresh ? " quire-new" : ""), id: "comment-" + comment.id, "data-quire-comment": comment.id },
      h("div", { class: "quire-slot" }), h("ol", { class: "quire-replies" }));
    record = { comment, item };
    records.set(comment.id, record);
    paint(record);
    const parent = comment.parent_id != null && records.get(comment.parent_id);
    (parent ? parent.item.querySelector(":scope > .quire-replies") : list).append(item);
    if (comment.id > last && comment.status !== "pending") last = comment.id;
    return record;
  };

  /** Baked comments (server HTML with their data in data-quire-json) become live records. */
  const adoptBaked = () => {
    for (const item of list.querySelectorAll("li[data-quire-comment]")) {
      const comment = JSON.parse(item.dataset.quireJson || "null");
      if (!comment) continue;
      if (!item.querySelector(":scope > .quire-slot")) item.append(h("div", { class: "quire-slot" }));
      if (!item.querySelector(":scope > .quire-replies")) item.append(h("ol", { class: "quire-replies" }));
      const record = { comment, item };
      records.set(comment.id, record);
      paint(record);
    }
  };

  const remove = (record) => {
    record.item.remove();
    records.delete(record.comment.id);
  };

  return {
    list,
    get last() { return last; },
    has: (id) => records.has(id),
    paint,
    add,
    adoptBaked,
    remove,
    repaintAll: () => records.forEach((record) => paint(record)),
    /** Forget the signed-out reader's comments that are still awaiting moderation. */
    dropPending: () => records.forEach((record) => { if (record.comment.status === "pending") remove(record); }),
    /** Scroll to a new or changed comment, focus it if asked, and say what became of it. */
    reveal(record, focus) {
      record.item.scrollIntoView({ block: "nearest", behavior: prefersReducedMotion() ? "auto" : "smooth" });
      if (focus) record.item.querySelector(":scope > article").focus({ preventScroll: true });
      announce(words.text(record.comment.status === "pending" ? "queued" : "posted"));
    },
  };
}
