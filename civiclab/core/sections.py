"""A page's sections that higher floors add: a project's or a proposal's page shows its comments,
a follow button and a report form, which belong to domains above the page's own.

The page's route asks `sections_of("proposal", proposal)` and passes the result to its template
explicitly (`sections.comments`, `sections.follow`, …); each higher domain adds its part from its
`connect()` with `page_sections.add(("proposal", "comments"), fn)`, where `fn(subject)` returns
what its template part needs (or None to show nothing).
"""
from civiclab.core.registry import Registry

page_sections = Registry("page sections")  # (page, name) -> fn(subject) -> data or None


class Sections(dict):
    """name -> data; a section nobody added reads as None (`sections.follow`)."""

    def __getattr__(self, name):
        return self.get(name)


def sections_of(page, subject, **overrides):
    """Every section added to `page`, computed for `subject`; `overrides` replace some (a form
    shown again with its errors)."""
    found = Sections()
    for (on_page, name), make in page_sections.items():
        if on_page == page:
            found[name] = overrides[name] if name in overrides else make(subject)
    for name, value in overrides.items():
        found.setdefault(name, value)
    return found
