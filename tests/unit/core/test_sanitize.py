"""The sanitiser's plain text: what people type comes back as they typed it, minus markup."""
import pytest

from civiclab.core.sanitize import is_blank, plain_text, text_content


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


@pytest.mark.parametrize("text, blank", [
    ("", True), ("  \n\t", True), ("\u200b\u200b", True), ("\u00a0\u2060", True), ("a\u200b", False), ("·", False),
])
def test_is_blank_sees_through_invisible_characters(text, blank):
    assert is_blank(text) is blank


def test_a_comment_of_zero_width_spaces_is_refused(client, make_user, make_proposal, db_session):
    from tests.conftest import login

    proposal = make_proposal()
    login(client, make_user())
    response = client.post("/commenti", data={"proposal_id": proposal.id, "body": "\u200b\u200b"})
    assert response.status_code == 422 and proposal.comments_count == 0


def test_a_text_diff_marks_removed_and_added_words_and_escapes_everything():
    from civiclab.core.sanitize import text_diff_html

    assert text_diff_html("Dieci alberi nel cortile.", "Dieci <b>alberi</b> nel cortile.") == \
        "Dieci <del>alberi</del><ins>&lt;b&gt;alberi&lt;/b&gt;</ins> nel cortile."
    assert text_diff_html("a b c", "a x y c") == "a <del>b</del><ins>x y</ins> c"
    assert text_diff_html("", "Nuovo") == "<ins>Nuovo</ins>"
    assert text_diff_html("uguale", "uguale") == "uguale"
