"""The sanitiser's plain text: what people type comes back as they typed it, minus markup."""
import pytest

from civiclab.core.sanitize import plain_text, text_content


@pytest.mark.parametrize("typed, stored", [
    ("Scuole & imprese insieme", "Scuole & imprese insieme"),  # not "&amp;", shown escaped once
    ("Orti <b>condivisi</b>", "Orti condivisi"),
    ("3 < 5 e 7 > 2", "3 < 5 e 7 > 2"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;Titolo", "alert(1)Titolo"),
    ("<img src=x onerror=alert(1)//", "< img src=x onerror=alert(1)//"),
])
def test_plain_text_keeps_what_people_typed_and_no_markup(typed, stored):
    assert plain_text(typed) == stored


def test_a_proposal_title_with_an_ampersand_reads_right_on_its_page(client, make_proposal):
    proposal = make_proposal(title=plain_text("Scuole & imprese"))
    page = client.get(f"/proposte/{proposal.id}").text
    assert "Scuole &amp; imprese" in page and "&amp;amp;" not in page


def test_text_content_reads_escaped_markup_as_text():
    assert text_content("<p>&lt;img src=x&gt;</p>") == "<img src=x>"
