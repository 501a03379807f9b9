"""The XSS corpus (tests/data/xss_payloads.txt) and a checker of HTML for what a browser would run.

The checker parses with the stdlib html.parser (it decodes entities in attribute values, as a
browser does) and then normalises URLs the way the URL parser does before reading a scheme:
tabs and line breaks anywhere are dropped, leading spaces and control characters trimmed.
"""
import re
from html.parser import HTMLParser
from pathlib import Path

PAYLOADS_FILE = Path(__file__).resolve().parents[1] / "data" / "xss_payloads.txt"
PLACEHOLDERS = {"{TAB}": "\t", "{LF}": "\n", "{CR}": "\r", "{NUL}": "\0"}

# Elements no user text may produce, whatever the allowlist says.
FORBIDDEN_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style",
    "base", "meta", "link", "form", "input", "button", "textarea", "select", "img", "video",
    "audio", "source", "template", "noscript", "xmp", "body", "html", "head", "title",
})
# Attributes whose value a browser loads or runs as a URL.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster",
    "cite", "srcset", "codebase", "dynsrc", "lowsrc", "ping", "content",
})
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
RAW_SCRIPT = re.compile(r"<\s*/?\s*script", re.IGNORECASE)


def load_payloads(path=PAYLOADS_FILE):
    payloads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("##"):
            continue
        for placeholder, character in PLACEHOLDERS.items():
            line = line.replace(placeholder, character)
        payloads.append(line)
    return payloads


PAYLOADS = load_payloads()


def url_scheme_is_dangerous(value):
    url = re.sub(r"[\t\n\r]", "", value or "")
    url = url.lstrip("".join(chr(n) for n in range(0x21))).lower()
    if url.startswith(BAD_SCHEMES):
        return True
    # <meta http-equiv=refresh content="0;url=javascript:...">
    refresh = re.search(r"url\s*=\s*['\"]?\s*([^'\"]*)", url)
    return bool(refresh) and refresh.group(1).strip().startswith(BAD_SCHEMES)


class _Inspector(HTMLParser):
    def __init__(self, allowed_tags, allowed_attributes):
        super().__init__(convert_charrefs=True)
        self.allowed_tags, self.allowed_attributes = allowed_tags, allowed_attributes
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        elif self.allowed_tags is not None and tag not in self.allowed_tags:
            self.problems.append(f"<{tag}> is not in the allowlist")
        for name, value in attrs:
            if re.fullmatch(r"on\w+", name):
                self.problems.append(f"{name}= event handler on <{tag}>")
            elif name == "style":
                self.problems.append(f"style= on <{tag}>")
            elif name in URL_ATTRIBUTES and url_scheme_is_dangerous(value):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            elif self.allowed_attributes is not None and name not in self.allowed_attributes.get(tag, ()):
                self.problems.append(f"{name}= is not allowed on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data):
        self.problems.append(f"declaration <![{data}]>")


def html_dangers(html, allowed_tags=None, allowed_attributes=None):
    """What in `html` a browser could run or load (empty when nothing); with an allowlist, also
    every element or attribute outside it."""
    inspector = _Inspector(allowed_tags, allowed_attributes)
    inspector.feed(html or "")
    inspector.close()
    problems = inspector.problems
    if RAW_SCRIPT.search(html or ""):
        problems.append("raw <script")
    return problems


class _Shape(HTMLParser):
    """Every element and attribute name of a page, in order (the page's structure, not its text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.shape = []

    def handle_starttag(self, tag, attrs):
        self.shape.append((tag, tuple(sorted(name for name, _value in attrs))))

    handle_startendtag = handle_starttag


def page_shape(html):
    """A page's elements with their attribute names: user text that only ever shows as text leaves
    it exactly as a harmless text leaves it."""
    shape = _Shape()
    shape.feed(html)
    shape.close()
    return shape.shape
