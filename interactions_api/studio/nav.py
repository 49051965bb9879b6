"""Studio's navigation: every screen, the role it needs and the group it is listed in.

The one list of Studio's URLs. A screen not built yet is answered by routes/planned.py
(a page saying where the job is done meanwhile) until a route of its own shadows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from interactions_api.models.user import Role, User

STUDIO = "/studio"


@dataclass(frozen=True)
class Screen:
    """One Studio screen: its nav label, path (under /studio), role and group."""

    key: str
    label: str
    path: str
    role: Role
    group: str
    summary: str
    interim: str = ""  # where the job is done until this screen exists (none left today)

    @property
    def href(self) -> str:
        """The screen's URL."""
        return f"{STUDIO}{self.path}"


SCREENS: tuple[Screen, ...] = (
    Screen("write", "Write", "/write", Role.author, "Writing",
           "Write a new article with a live preview."),
    Screen("submissions", "Submissions", "/submissions", Role.author, "Writing",
           "Your articles in review, their status and remarks."),
    Screen("review", "Review", "/review", Role.editor, "Editing",
           "The review queue: approve, request changes, reject."),
    Screen("builds", "Builds", "/builds", Role.editor, "Editing",
           "Every build of the site, its status and log."),
    Screen("comments", "Comments", "/comments", Role.editor, "Moderation",
           "Held, reported and spam comments."),
    Screen("bans", "Bans", "/bans", Role.editor, "Moderation",
           "Suspended accounts, with reason and duration."),
    Screen("words", "Words", "/words", Role.editor, "Moderation",
           "Blocked words that hold a comment for review."),
    Screen("users", "Users", "/users", Role.admin, "Administration",
           "Accounts and roles: search, invite, change a role."),
    Screen("settings", "Settings", "/settings", Role.admin, "Administration",
           "Site settings kept in the database."),
    Screen("health", "Health", "/health", Role.admin, "Administration",
           "Database, Redis, worker and last publish."),
    Screen("account", "Account", "/account", Role.reader, "Account",
           "Profile, email, password, sessions, tokens, bookmarks and comments."),
)  # fmt: skip
BY_KEY = {s.key: s for s in SCREENS}


def screens_for(user: User | None) -> list[Screen]:
    """The screens `user` may open, in nav order (none when signed out)."""
    if user is None:
        return []
    return [s for s in SCREENS if user.role >= s.role]


def groups_for(user: User | None) -> list[tuple[str, list[Screen]]]:
    """`screens_for(user)` grouped for the dashboard, in nav order."""
    groups: dict[str, list[Screen]] = {}
    for screen in screens_for(user):
        groups.setdefault(screen.group, []).append(screen)
    return list(groups.items())
