"""The one place user HTML is cleaned; bleach lives behind it so it can be swapped."""
import difflib
import functools
import html
import re
import unicodedata

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark without raw HTML: tags typed by people come out as text, then the allowlist applies.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable("image")  # no remote images (tracking pixels); the link text stays

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li", "blockquote",
    "code", "pre", "h3", "h4", "h5", "a", "hr",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _nofollow(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "nofollow noopener ugc"
    return attrs


def clean_html(html):
    """User HTML reduced to the allowlist; anything else is escaped or dropped."""
    cleaned = bleach.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return bleach.linkify(cleaned, callbacks=[_nofollow], skip_tags={"pre", "code"})


def safe_html(html):
    """Clean user HTML and mark it safe for a template: the only way user HTML is shown."""
    return Markup(_cleaned(html or ""))


@functools.lru_cache(maxsize=2048)
def _cleaned(html):
    """clean_html remembered by the text itself: a page shows the same stored comments and
    descriptions request after request, and cleaning is the costliest step of rendering them.
    The text is the key, so an edited text is cleaned anew; nothing can be stale. (2,048 texts:
    a few MB per process for comments of usual length.)"""
    return clean_html(html)


_TAG_OPENING = re.compile(r"<(?=[A-Za-z/!?])")


def plain_text(text):
    """Text with every tag removed (titles, places, file names): plain text, escaped when shown.

    bleach answers HTML; its entities are turned back into characters, or "Scuole & imprese"
    would be stored as "Scuole &amp; imprese" and shown with the entity spelled out. Tags spelled
    with entities ("&lt;script&gt;") become tags when unescaped, so it goes round until stable;
    a "<" left that could open a tag (an unclosed "<img …") gets a space after it, so the text
    stays markup-free even where it is not escaped (a mail subject, a calendar file).
    """
    text = text or ""
    for _ in range(3):
        cleaned = html.unescape(bleach.clean(text, tags=set(), strip=True))
        if cleaned == text:
            break
        text = cleaned
    return _TAG_OPENING.sub("< ", text)


def render_markdown(text):
    """Markdown written by a person rendered to HTML and cleaned: store this, show it with |safe_html."""
    return _rendered(text or "")


@functools.lru_cache(maxsize=1024)
def _rendered(text):
    """render_markdown remembered by the text (an event's description is rendered on each view of
    its page): the text is the key, so an edited text is rendered anew."""
    html = _markdown.render(text)
    # Headings a person writes are sections of a page that already has its own h1 and h2.
    for level, shown in (("1", "3"), ("2", "4"), ("6", "5")):
        html = html.replace(f"<h{level}>", f"<h{shown}>").replace(f"</h{level}>", f"</h{shown}>")
    return clean_html(html)


def text_content(html_text):
    """The text a reader sees in cleaned HTML (one pass: "&lt;img&gt;" shown as text stays)."""
    return html.unescape(bleach.clean(html_text or "", tags=set(), strip=True))


def is_blank(text):
    """True when `text` shows nothing: spaces, zero-width and other invisible characters only."""
    return not any(unicodedata.category(ch)[0] not in "ZC" for ch in text or "")


_DIFF_TOKENS = re.compile(r"\s+|[^\s]+")


def text_diff_html(old, new):
    """What changed from plain text `old` to `new`, word by word, as HTML: removed words in
    <del>, added ones in <ins>, everything escaped (to show inside a pre-wrapping block). Changes
    separated only by spaces are shown as one."""
    before, after = _DIFF_TOKENS.findall(old or ""), _DIFF_TOKENS.findall(new or "")
    chunks = []  # [same?, old text, new text]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        same = op == "equal"
        if chunks and not same and not chunks[-1][0]:
            chunks[-1][1] += removed
            chunks[-1][2] += added
        elif same and removed.isspace() and chunks and not chunks[-1][0]:
            chunks[-1][1] += removed  # a space between two changes joins them
            chunks[-1][2] += added
        else:
            chunks.append([same, removed, added])
    parts = []
    for same, removed, added in chunks:
        if same:
            parts.append(html.escape(removed))
            continue
        if removed:
            parts.append("<del>" + html.escape(removed) + "</del>")
        if added:
            parts.append("<ins>" + html.escape(added) + "</ins>")
    return Markup("".join(parts))
