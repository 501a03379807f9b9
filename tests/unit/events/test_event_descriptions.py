"""Event descriptions are Markdown, shown through the sanitiser proposals use (core/sanitize.py)."""
from civiclab.core.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from tests.unit.events.helpers import text
from tests.xss.corpus import PAYLOADS, html_dangers


def test_markdown_in_a_description_is_shown_formatted_not_as_asterisks(client, make_event):
    event = make_event(description="Porta **una matita** e *un foglio*:\n\n- colori\n- forbici")

    page = client.get(f"/eventi/{event.id}").get_data(as_text=True)

    assert "<strong>una matita</strong>" in page and "<em>un foglio</em>" in page and "<li>colori</li>" in page
    assert "**" not in text(client.get(f"/eventi/{event.id}"))


def test_no_payload_of_the_xss_corpus_survives_in_a_shown_description(make_event):
    event = make_event()
    for payload in PAYLOADS:
        event.description = payload.replace("\0", "")
        assert html_dangers(event.description_html, ALLOWED_TAGS, ALLOWED_ATTRIBUTES) == [], payload
