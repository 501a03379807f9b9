"""The one normaliser of names (core/text.py): format characters go, NFC, blank-looking names and
lone surrogates are refused, and names compare case-, space- and look-alike-insensitively."""
import unicodedata

import pytest

from civiclab.core.text import TextProblem, clean_line, clean_name, clean_text, name_key


@pytest.mark.parametrize("typed, stored", [
    ("Comune di\u200b Bologna", "Comune di Bologna"),  # zero-width space
    ("\u202eanoloB", "anoloB"),  # right-to-left override
    ("\u2067Mario\u2069 Rossi", "Mario Rossi"),  # isolates
    ("Jose\u0301", "José"),  # combining accent composed (NFC)
    ("  Anna \t  Bianchi\n", "Anna Bianchi"),
    ("\ufeffLuca", "Luca"),  # byte-order mark
])
def test_a_name_loses_its_format_characters_and_is_nfc(typed, stored):
    assert clean_name(typed) == stored
    assert unicodedata.is_normalized("NFC", clean_name(typed))


@pytest.mark.parametrize("blank", ["", "   ", "\u200b\u200c\u200d", "\u202e\u202c", "\u3164", "\u2800\u2800",
                                   "\u115f\u1160", "\u0301\u0302", "\u00a0\u2003"])
def test_a_name_with_nothing_visible_left_is_refused(blank):
    with pytest.raises(TextProblem, match="visibili"):
        clean_name(blank)


def test_a_lone_surrogate_is_refused_in_a_name_a_line_and_a_text():
    for clean in (clean_name, clean_line, clean_text):
        with pytest.raises(TextProblem, match="caratteri non validi"):
            clean("Mario \ud800")


def test_a_longer_text_loses_bidi_controls_but_keeps_lines_and_emoji_joiners():
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    assert clean_text(f"Riga uno\n\u202eRiga due {family}") == f"Riga uno\nRiga due {family}"


@pytest.mark.parametrize("look_alike", ["comune di bologna", "COMUNE  DI  BOLOGNA", "Comune-di-Bologna.",
                                        "Ｃｏｍｕｎｅ ｄｉ Ｂｏｌｏｇｎａ", "Comune di\u200b Bologna", "Comune\u3164di Bologna"])
def test_look_alikes_share_the_name_key(look_alike):
    assert name_key(look_alike) == name_key("Comune di Bologna") == "comune di bologna"


def test_a_free_text_with_a_nul_is_refused():
    with pytest.raises(TextProblem):
        clean_text("<img src=x\0onerror=alert(1)>")
