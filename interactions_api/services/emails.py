"""One spelling per mailbox: email addresses normalised for storage and lookup.

Look-alike spellings of one address must find the one account, not make a second one:
fullwidth letters (U+FF41 for `a`), invisible characters (a zero-width space, a soft hyphen)
and the capitalisation of either part all map to one stored form. What cannot be mapped,
a local part mixing scripts (`alice` spelled with a Cyrillic U+0430 `a`), is refused for
new addresses.

Pure functions, no database: the migration that normalises stored addresses uses them too.
"""

from __future__ import annotations

import re
import unicodedata

import idna

from interactions_api.errors import Unprocessable

EMAIL_MAX = 320
_SHAPE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt) that are not
# format characters (category Cf, removed as a whole): fillers and variation selectors
# render as nothing, so a mailbox spelled with them looks like the one without.
_IGNORABLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)

# Scripts that may share one local part (Unicode TR 39's "highly restrictive" level):
# Japanese, Chinese and Korean writing mixes with Latin as a matter of course.
_COMPATIBLE = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_SCRIPT_ALIASES: dict[str, str | None] = {"CJK": "HAN", "IDEOGRAPHIC": "HAN", "MODIFIER": None}


def _invisible(ch: str) -> bool:
    if unicodedata.category(ch) in ("Cf", "Cc"):
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _IGNORABLE)


def _domain(domain: str) -> str | None:
    """The domain as lower-case ASCII (IDNA A-labels), or None if it is no valid name."""
    try:
        return idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None


def normalize_email(email: str) -> str:
    """The stored form of an address: NFKC, no invisible characters, lower case, IDNA domain.

    Never raises: an address that cannot be valid comes back lower-cased, so a lookup simply
    finds nothing (`check_email` tells the user what is wrong).
    """
    visible = "".join(ch for ch in email if not _invisible(ch))
    text = unicodedata.normalize("NFKC", visible).strip()
    local, at, domain = text.rpartition("@")
    ascii_domain = _domain(domain) if at and local else None
    if ascii_domain is None:
        return text.lower()
    return f"{local.lower()}@{ascii_domain}"


def _script(ch: str) -> str | None:
    """The script of a letter, from its Unicode name (`CYRILLIC SMALL LETTER A`)."""
    category = unicodedata.category(ch)
    if not category.startswith("L") and not (category == "Nd" and not ch.isascii()):
        return None  # marks, ASCII digits and punctuation belong to every script
    first = unicodedata.name(ch, "UNKNOWN").split(" ")[0].split("-")[0]
    return _SCRIPT_ALIASES.get(first, first)  # modifier letters belong to every script


def mixed_scripts(local: str) -> set[str]:
    """The scripts of a local part that may not be mixed (empty when the mix is fine)."""
    scripts = {s for s in map(_script, local) if s is not None}
    if len(scripts) <= 1 or any(scripts <= allowed for allowed in _COMPATIBLE):
        return set()
    return scripts


def check_email(email: str, *, new: bool = True) -> str:
    """The normalised address, or 422 naming the field `email`.

    `new`: the address is about to name an account (sign-up, an account made by an admin),
    so its domain must be a valid IDNA name and its local part may not mix look-alike
    scripts; a reset request for an account made before those rules still works.
    """
    normal = normalize_email(email)
    local, _, domain = normal.rpartition("@")
    if len(normal) > EMAIL_MAX or not _SHAPE.match(normal) or (new and _domain(domain) is None):
        raise _invalid(f"{email!r} is not a valid email address.", code="invalid_email")
    scripts = mixed_scripts(local) if new else set()
    if scripts:
        names = " and ".join(sorted(s.title() for s in scripts))
        raise _invalid(
            f"The email address mixes letters of different scripts ({names}) that look alike; "
            "type it with the letters of one script.",
            code="confusable_email",
        )
    return normal


def _invalid(message: str, *, code: str) -> Unprocessable:
    return Unprocessable(message, code=code, fields=[{"field": "email", "message": message}])
