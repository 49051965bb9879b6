/** The buttons under one comment: like, reply, and for its author edit and delete. */
import { describeError } from "./api.js";
import { button, h } from "./dom.js";
import { createToggle } from "./toggle.js";

/** The action row of `record` in `thread` (see createThread for what a thread holds). */
export function commentActions(thread, record) {
  const { comment } = record;
  const { words } = thread;
  const box = h("div", { class: "quire-actions" });
  if (comment.deleted) return box;
  const like = createToggle({
    label: words.text("like"), className: "quire-like-btn", path: `/api/comments/${comment.id}/like`, key: "liked",
    api: thread.api, auth: thread.auth, words, needAuth: thread.needAuth, announce: thread.announce,
  });
  like.set(thread.me.liked_comments.includes(comment.id), comment.likes || 0);
  box.append(like.element);
  if (comment.status !== "pending") {
    box.append(" ", button(words.text("reply"), (event) => openReply(thread, record, event.currentTarget)));
  }
  if (thread.me.editable.includes(comment.id)) {
    box.append(" ", button(words.text("edit"), (event) => openEdit(thread, record, event.currentTarget)),
      " ", button(words.text("del"), () => confirmDelete(thread, record, box), "quire-del"));
  }
  return box;
}

const slotOf = (record) => record.item.querySelector(":scope > .quire-slot");

/** A reply form under the comment; the new reply is shown, focused and announced. */
async function openReply(thread, record, from) {
  const form = await thread.openComposer(slotOf(record), {
    parent: record.comment.id,
    closed: () => from.focus(),
    done: (reply) => { thread.tree.reveal(thread.tree.add(thread.own(reply), true), true); },
  });
  if (form) form.querySelector("textarea").focus();
}

/** The edit form, starting from the Markdown the reader wrote (or the shown text). */
async function openEdit(thread, record, from) {
  const comment = record.comment;
  const shown = record.item.querySelector(":scope > article .quire-body");
  const form = await thread.openComposer(slotOf(record), {
    edit: comment,
    body: thread.me.bodies?.[comment.id],
    text: shown.innerText.trim(), // when no Markdown is known
    closed: () => from.isConnected && from.focus(),
    done: (changed, source) => {
      if (thread.me.bodies) thread.me.bodies[changed.id] = source;
      record.comment = changed;
      thread.tree.paint(record);
      thread.tree.reveal(record, true);
    },
  });
  if (form) form.querySelector("textarea").focus();
}

/** Ask before deleting, in place of the action row; "Keep it" puts the row back. */
function confirmDelete(thread, record, box) {
  const { words } = thread;
  const keep = button(words.text("no"), () => {
    const again = commentActions(thread, record);
    box.replaceWith(again);
    again.querySelector(".quire-del").focus(); // back where the reader was
  });
  const yes = button(words.text("yes"), async () => {
    yes.disabled = true;
    try {
      await thread.api("DELETE", `/api/comments/${record.comment.id}`, {});
      removeDeleted(thread, record);
      thread.announce(words.text("removed"));
      thread.tree.list.focus();
    } catch (error) {
      yes.disabled = false;
      if (error.status === 401) {
        thread.auth.setUser(null);
        thread.needAuth(yes, words.text("expired"));
        return;
      }
      if (error.code === "edit_window_closed") {
        thread.me.editable = thread.me.editable.filter((id) => id !== record.comment.id);
        thread.tree.paint(record);
      }
      thread.showError(describeError(error, words));
    }
  }, "quire-danger");
  box.replaceChildren(h("span", { text: words.text("confirmDel") }), " ", yes, " ", keep);
  yes.focus();
}

/** A deleted comment with replies stays as a marker that keeps them; otherwise it goes. */
function removeDeleted(thread, record) {
  if (record.item.querySelector(".quire-replies > li")) {
    record.comment = { ...record.comment, deleted: true, author: null, html: "" };
    thread.tree.paint(record);
  } else thread.tree.remove(record);
}
