"""The site's languages, and the regional formats each one writes dates and numbers in."""
from contextlib import contextmanager

from flask_babel import force_locale

LANGUAGES = ("it", "en")

# English pages and mails follow British usage ("3 Dec 2026, 23:09", "Monday 7 December"), as
# readers of a European public site expect, not Babel's default American one ("12/3/26, 11:09 PM").
# Translations still come from translations/en: gettext looks up en_GB, then en.
FORMAT_LOCALES = {"it": "it_IT", "en": "en_GB"}


def chosen_language(session_choice, accept_languages, user_locale=None):
    """The reader's language: the one chosen in this session, else their account's, else the
    browser's Accept-Language, else Italian."""
    for language in (session_choice, user_locale):
        if language in LANGUAGES:
            return language
    return accept_languages.best_match(LANGUAGES) or "it"


def babel_locale(language):
    """The Babel locale for one of LANGUAGES ("en" -> "en_GB"); Italian for anything else."""
    return FORMAT_LOCALES.get(language, FORMAT_LOCALES["it"])


@contextmanager
def in_language(language):
    """Translate and format in `language` ("it" or "en") inside the block (mails, notifications)."""
    with force_locale(babel_locale(language)):
        yield
