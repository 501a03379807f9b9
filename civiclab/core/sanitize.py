"""The one place user HTML is cleaned; bleach lives behind it so it can be swapped."""
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
    return Markup(clean_html(html))


def plain_text(text):
    """Text with every tag removed (names, titles)."""
    return bleach.clean(text or "", tags=set(), strip=True)


def render_markdown(text):
    """Markdown written by a person rendered to HTML and cleaned: store this, show it with |safe_html."""
    html = _markdown.render(text or "")
    # Headings a person writes are sections of a page that already has its own h1 and h2.
    for level, shown in (("1", "3"), ("2", "4"), ("6", "5")):
        html = html.replace(f"<h{level}>", f"<h{shown}>").replace(f"</h{level}>", f"</h{shown}>")
    return clean_html(html)
