"""Cleaning the short texts people type that others read as names: one normaliser for display
names, organisation names and the like.

Unicode "format" characters (category Cf: bidi overrides and isolates, zero-width spaces and
joiners, the soft hyphen, the BOM...) are invisible, so they let a name look like another
("Comune di Bologna" with a zero-width space inside) or read backwards (U+202E). They are
removed; what is left is NFC-normalised and its spaces collapsed. A text with nothing visible
left (only spaces, fillers like U+3164, combining marks) is refused, and so is a lone surrogate,
which no database or mail can store.

`name_key` is what two names are compared by: compatibility forms folded (NFKC: full-width and
styled letters become plain), case folded, spaces collapsed.

One price: an emoji built with a zero-width joiner (a family, a profession) shows as its parts.
"""
import unicodedata

from flask_babel import lazy_gettext as _l

# Characters that draw nothing though their category is not Cf or a space.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
_NOT_VISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


class TextProblem(ValueError):
    """A text that cannot be used; `message` says why, for the form."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def has_lone_surrogate(text):
    return any("\ud800" <= char <= "\udfff" for char in text)


def strip_format_characters(text):
    """`text` without Unicode format characters (Cf)."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


# Bidi embeddings, overrides and isolates: they reorder the text around them on the page.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_text(text):
    """A longer free text (a presentation, a reason) as stored: NFC, without bidi controls; the
    joiners emoji and some scripts need are kept. Raises TextProblem for a lone surrogate or a NUL
    (PostgreSQL's text cannot hold one; the pages refuse it in any form, core/security.py)."""
    text = text or ""
    if has_lone_surrogate(text) or "\0" in text:
        raise TextProblem(_l("Il testo contiene caratteri non validi."))
    return unicodedata.normalize("NFC", "".join(char for char in text if char not in _BIDI_CONTROLS)).strip()


def is_visible(char):
    return char not in _INVISIBLE and unicodedata.category(char) not in _NOT_VISIBLE_CATEGORIES


def clean_line(text):
    """A one-line text as stored: no format or control characters, NFC, spaces collapsed.
    Raises TextProblem for a lone surrogate."""
    text = text or ""
    if has_lone_surrogate(text):
        raise TextProblem(_l("Il testo contiene caratteri non validi."))
    text = strip_format_characters(text)
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def clean_name(text, max_length=None):
    """A name as stored (see `clean_line`); refuses a name with nothing visible left, or too long."""
    name = clean_line(text)
    if not any(is_visible(char) for char in name):
        raise TextProblem(_l("Scrivi un nome con lettere o cifre visibili."))
    if max_length is not None and len(name) > max_length:
        raise TextProblem(_l("Il nome può avere al massimo %(n)d caratteri.", n=max_length))
    return name


def name_key(text):
    """What names are compared by: cleaned, compatibility forms folded, case folded, punctuation
    and invisible fillers read as a space, one space ("COMUNE-di  Bologna." is "comune di
    bologna")."""
    try:
        text = clean_line(text)
    except TextProblem:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = (" " if unicodedata.category(char).startswith("P") or not is_visible(char) else char for char in text)
    return " ".join("".join(kept).split())
