"""The site in English: pages, messages and mails come from the English catalog, and that catalog
translates every string the code marks for translation.

The compiled catalog (translations/en/LC_MESSAGES/messages.mo) is gitignored; scripts/install
builds it. When it is missing or older than the .po, this module compiles it while pytest collects
it, before any test runs: Flask-Babel caches a language's catalog the first time a request asks
for it, so compiling later, in a fixture, could come after another module's English request has
already cached "no translations".
"""
import ast
import os
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import text_of

ROOT = Path(__file__).resolve().parents[3]
PO_NAME = "translations/en/LC_MESSAGES/messages.po"
PO = ROOT / PO_NAME
MO = PO.with_suffix(".mo")

# The translation functions the code uses beyond Babel's defaults (_, gettext, ngettext, ...):
# flask_babel's lazy_gettext, imported as _l or under its own name, and lazy_pgettext as
# pgettext_l (a context, then the message). Keep in step with babel.cfg.
EXTRA_KEYWORDS = {"_l": None, "lazy_gettext": None, "pgettext_l": ((1, "c"), 2)}
UPDATE_COMMAND = (
    "pybabel extract -F babel.cfg -k _l -k lazy_gettext -k pgettext_l:1c,2 -o translations/messages.pot . && "
    "pybabel update -i translations/messages.pot -d translations"
)


def compile_english_catalog():
    """Write messages.mo from messages.po when it is missing or stale; the reason if it cannot."""
    if not PO.exists():
        return f"{PO_NAME} does not exist"
    if MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime:
        return None
    with PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    if catalog.fuzzy:
        return f"{PO_NAME} is marked fuzzy in its header: pybabel compile would skip it"
    tmp = MO.with_suffix(f".mo.{os.getpid()}")
    with tmp.open("wb") as target:
        write_mo(target, catalog)
    tmp.replace(MO)  # atomic: a parallel run never reads half a file
    return None


CATALOG_PROBLEM = compile_english_catalog()


@pytest.fixture
def english(client):
    """The test client with English chosen in the language switch."""
    if CATALOG_PROBLEM:
        pytest.fail(f"No English catalog to test: {CATALOG_PROBLEM}. Run scripts/install.")
    client.post("/lingua", data={"lang": "en", "next": "/"})
    return client


def assert_english(response, english_texts, italian_texts):
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)
    text = text_of(response)
    for expected in english_texts:
        assert expected in text, f"missing English text: {expected!r}"
    for original in italian_texts:
        assert original not in text, f"Italian text left on an English page: {original!r}"


# ---- pages in English ---------------------------------------------------------------------

def test_the_home_page_and_the_layout_are_in_english(english):
    assert_english(
        english.get("/"),
        ["Skip to content", "Open Labs are public spaces equipped with ICT", "Accessibility statement",
         "Privacy notice", "Cities", "Projects", "Log in", "Register"],
        ["Vai al contenuto", "I Laboratori aperti sono spazi pubblici", "Dichiarazione di accessibilità",
         "Informativa privacy", "Progetti", "Accedi", "Registrati"],
    )


def test_the_privacy_notice_is_in_english(english):
    assert_english(
        english.get("/privacy"),
        ["Notice on the processing of personal data", "Data controller", "What data we process",
         "We use only technical cookies", "Your rights", "Italian Data Protection Authority"],
        ["Informativa sul trattamento dei dati personali", "Titolare del trattamento",
         "Usiamo solo cookie tecnici", "I tuoi diritti"],
    )


def test_the_accessibility_statement_is_in_english(english):
    assert_english(
        english.get("/accessibilita"),
        ["Accessibility statement", "Compliance status", "partially compliant",
         "Report an accessibility problem", "Digital Ombudsman"],
        ["Dichiarazione di accessibilità", "Stato di conformità", "parzialmente conforme",
         "Segnala un problema di accessibilità"],
    )


def test_the_login_page_and_its_error_are_in_english(english, make_user):
    assert_english(
        english.get("/account/accedi"),
        ["Log in to CivicLab", "Email address", "Remember me on this device", "Forgotten your password?"],
        ["Accedi a CivicLab", "Indirizzo email", "Ricordami su questo dispositivo",
         "Hai dimenticato la password?"],
    )
    make_user(email="mario@example.org")
    wrong = english.post("/account/accedi", data={"email": "mario@example.org", "password": "Wrong-pass-123"})
    assert "Incorrect email or password." in text_of(wrong)
    assert "Email o password non corretti." not in text_of(wrong)


def test_the_register_page_and_its_form_errors_are_in_english(english):
    assert_english(
        english.get("/account/registrati"),
        ["Register on CivicLab", "Fields marked with an asterisk (*) are required.", "Display name",
         "I am taking part as", "Citizen", "Third sector", "Public body",
         "I have read the privacy notice and consent to the processing of my data"],
        ["Registrati a CivicLab", "Nome visualizzato", "Partecipo come", "Terzo settore", "Ente pubblico"],
    )
    page = english.post("/account/registrati", data={})
    text = text_of(page)
    assert "The form contains errors:" in text and "The email address is required." in text
    assert "Il modulo contiene errori:" not in text and "L'indirizzo email è obbligatorio." not in text


def test_a_city_page_with_its_lab_and_project_is_in_english(english, make_city, make_lab, make_project):
    city = make_city(name="Bologna", population=392203, municipalities_count=55)
    make_lab(city=city, name="Laboratorio aperto di Bologna", theme="innovazione civica")
    make_project(city=city, code="BO3.3.1.b", published=True)

    assert_english(
        english.get(f"/citta/{city.slug}"),
        ["Region", "Municipalities in the metropolitan area", "Population", "Plans and budget by axis",
         "No operational plan published for this city.", "Open Labs", "Theme: innovazione civica",
         "Programmed", "Disbursed", "BO3.3.1.b"],
        ["Regione", "Popolazione", "Piani e budget per asse", "Nessun piano operativo", "Tema:",
         "Programmato", "Erogato"],
    )


def test_the_project_list_counts_in_english_plurals(english, make_project):
    make_project(code="EN1", published=True)
    assert_english(english.get("/progetti"), ["1 project found", "Funded projects"],
                   ["progetto trovato", "Progetti finanziati"])


def test_a_mail_goes_out_in_the_recipients_language(client, make_user, outbox):
    make_user(email="mary@example.org", locale="en")
    client.post("/account/password-dimenticata", data={"email": "mary@example.org"})
    (mail,) = outbox
    assert mail.subject == "Reset your CivicLab password"
    assert "To choose a new password, open this link:" in mail.body
    assert "can be used only once" in mail.body and "si può usare una sola volta" not in mail.body


# ---- the catalog covers the code ------------------------------------------------------------

def extract_messages():
    """{(msgid, context): first location} for every string babel.cfg's methods find in the code."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = dict(DEFAULT_KEYWORDS, **EXTRA_KEYWORDS)

    def directories(path):  # Babel's own filter (no hidden or _private folders), plus npm's and builds
        name = os.path.basename(path)
        return not name.startswith((".", "_")) and name not in ("node_modules", "build", "dist")

    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, directory_filter=directories):
        found.setdefault((message, context), f"{filename}:{lineno}")
    return found


def test_the_english_catalog_translates_every_string_in_the_code():
    assert PO.exists(), f"{PO_NAME} is missing; create it with pybabel init (see README)."
    with PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    assert not catalog.fuzzy, "The catalog header is marked fuzzy: pybabel compile would skip it."

    extracted = extract_messages()
    assert len(extracted) > 400, "the extraction found too few strings: check babel.cfg"
    missing = []
    for (msgid, context), where in sorted(extracted.items(), key=lambda item: item[1]):
        entry = catalog.get(msgid, context=context)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(f"  {where}: {msgid!r}")
    assert not missing, (
        f"{len(missing)} string(s) have no (or only a fuzzy) English translation:\n" + "\n".join(missing)
        + f"\nUpdate the catalog with\n  {UPDATE_COMMAND}\nthen translate the new entries in "
        f"{PO_NAME} (no fuzzy flags) and run pybabel compile -d translations."
    )


def test_the_english_catalog_keeps_every_placeholder():
    with PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    problems = [f"  {message.id!r}: {'; '.join(map(str, errors))}" for message, errors in catalog.check()]
    assert not problems, "Translations whose %(name)s placeholders differ from the original:\n" + "\n".join(problems)


def test_every_translation_function_the_code_imports_is_extracted():
    """A new alias (say `from flask_babel import lazy_ngettext as _n`) needs its own -k in the command."""
    functions = {"gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext", "lazy_ngettext",
                 "lazy_pgettext", "lazy_npgettext"}
    keywords = set(DEFAULT_KEYWORDS) | set(EXTRA_KEYWORDS)
    unknown = []
    for path in sorted((ROOT / "civiclab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for name in node.names:
                    if name.name in functions and (name.asname or name.name) not in keywords:
                        unknown.append(f"{path.relative_to(ROOT)}: {name.name} as {name.asname or name.name}")
    assert not unknown, "Add these names to the extract command (-k) and EXTRA_KEYWORDS:\n" + "\n".join(unknown)


# ---- dates and numbers in British English -----------------------------------------------------

def test_english_pages_write_dates_the_british_way(app):
    from datetime import datetime, timezone

    from flask import render_template_string

    moment = datetime(2026, 3, 12, 22, 9, tzinfo=timezone.utc)
    template = "{{ value|rome|datetime('short') }} · {{ value|rome|date('full') }}"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_template_string(template, value=moment)
    with app.test_request_context(headers={"Accept-Language": "it"}):
        italian = render_template_string(template, value=moment)

    assert english == "12/03/2026, 23:09 · Thursday, 12 March 2026"
    assert "PM" not in english and "3/12/26" not in english
    assert italian == "12/03/26, 23:09 · giovedì 12 marzo 2026"


def test_an_english_mail_writes_dates_the_british_way(app):
    from datetime import datetime, timezone

    from flask_babel import format_datetime

    from civiclab.core.i18n import in_language

    with app.app_context(), in_language("en"):
        text = format_datetime(datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc), "short")
    assert text == "07/12/2026, 10:00"
