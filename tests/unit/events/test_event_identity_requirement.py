"""Events "solo con SPID/CIE": only accounts with a verified identity book a seat; a guest without an
account never does. The rule is the booking service's; the event page says so before anybody tries,
who runs the event sets it on the event sheet, and each change leaves an entry in the audit log."""
import re

import pytest

from civiclab.accounts.identity_rule import IdentityRequired
from civiclab.core.errors import DomainError
from civiclab.events import services
from civiclab.events.models import Event, EventState, RegistrationState
from tests.conftest import login, text_of
from tests.unit.events.helpers import registrations_of
from tests.unit.events.test_event_management import event_form
from tests.unit.events.test_guests import GUEST, ask, link_in

NEEDED = ("Per questa azione serve un'identità verificata: accedi con SPID o CIE, o collega la tua "
          "identità dal profilo.")
GUEST_NEEDED = ("Questo evento è riservato a chi ha un'identità verificata: accedi con SPID o CIE per "
                "prenotare.")




# ---- accounts ----------------------------------------------------------------------------------

def test_an_account_without_identity_is_told_why_instead_of_a_booking_form(client, make_event, make_user):
    event = make_event(requires_identity=True)
    login(client, make_user())
    page = client.get(f"/eventi/{event.id}")
    html = page.get_data(as_text=True)
    assert "Solo con SPID/CIE" in text_of(page)
    assert "Per prenotare questo evento serve un’identità verificata" in text_of(page)
    assert 'href="/account/profilo"' in html
    assert f'action="/eventi/{event.id}/iscrizione"' not in html


def test_an_account_without_identity_cannot_book(client, db_session, make_event, make_user):
    event = make_event(requires_identity=True)
    login(client, make_user())
    response = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    # the panel says why, with no form to try again
    assert response.status_code == 422
    assert "Per prenotare questo evento serve un’identità verificata" in text_of(response)
    assert f'action="/eventi/{event.id}/iscrizione"' not in response.get_data(as_text=True)
    assert registrations_of(db_session, event) == []
    db_session.refresh(event)
    assert event.confirmed_seats == 0


def test_an_account_with_identity_books(client, db_session, make_event, make_verified_user):
    event = make_event(requires_identity=True)
    login(client, make_verified_user())
    assert f'action="/eventi/{event.id}/iscrizione"' in client.get(f"/eventi/{event.id}").get_data(as_text=True)
    response = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    assert response.status_code == 302
    [registration] = registrations_of(db_session, event)
    assert registration.state is RegistrationState.CONFIRMED


def test_the_event_state_is_said_before_the_identity(in_request, make_event, make_user):
    """Registration closed is the first thing to know: no need to go and get SPID for it."""
    event = make_event(requires_identity=True, state=EventState.CANCELLED)
    with pytest.raises(DomainError) as refused:
        services.book(make_user(), event)
    assert not isinstance(refused.value, IdentityRequired)
    with pytest.raises(IdentityRequired) as refused:
        services.book(make_user(), make_event(requires_identity=True))
    assert str(refused.value.message) == NEEDED


# ---- guests ------------------------------------------------------------------------------------

def test_a_visitor_is_asked_to_sign_in_and_offered_no_guest_booking(client, make_event):
    event = make_event(requires_identity=True)
    page = client.get(f"/eventi/{event.id}")
    html = page.get_data(as_text=True)
    assert "Solo con SPID/CIE" in text_of(page)
    assert "con SPID o CIE" in text_of(page) and "/account/accedi" in html
    assert f"/eventi/{event.id}/prenota-senza-account" not in html
    guest_page = client.get(f"/eventi/{event.id}/prenota-senza-account").get_data(as_text=True)
    assert f'action="/eventi/{event.id}/iscrizione-ospite"' not in guest_page


def test_a_guest_cannot_ask_for_a_booking_link(client, make_event, outbox):
    event = make_event(requires_identity=True)
    response = ask(client, event)
    assert response.status_code == 422
    assert "con SPID o CIE" in text_of(response)
    assert outbox == []


def test_a_link_mailed_before_the_requirement_books_nothing(client, db_session, make_event, outbox):
    event = make_event()
    ask(client, event)
    link = link_in(outbox[-1], "/iscrizioni/ospite/conferma/")
    event.requires_identity = True
    db_session.commit()
    assert GUEST_NEEDED in text_of(client.get(link))
    response = client.post(link)
    assert response.status_code == 422 and GUEST_NEEDED in text_of(response)
    assert registrations_of(db_session, event) == []


def test_the_guest_service_refuses_whatever_the_page_says(in_request, db_session, make_event):
    event = make_event(requires_identity=True)
    with pytest.raises(IdentityRequired) as refused:
        services.book_as_guest(event.id, GUEST["name"], GUEST["email"])
    assert str(refused.value.message) == GUEST_NEEDED
    assert registrations_of(db_session, event) == []


# ---- who runs the event sets it ----------------------------------------------------------------

def _checked(html, name):
    tag = re.search(r'<input[^>]*name="' + name + r'"[^>]*>', html)
    assert tag, f"no {name} checkbox"
    return "checked" in tag.group(0)


def test_a_facilitator_sets_and_unsets_the_requirement_on_the_event_sheet(
        client, db_session, lab, facilitator, identity_requirement_audits):
    login(client, facilitator)
    sheet = client.get(f"/gestione/laboratori/{lab.id}/eventi/nuovo").get_data(as_text=True)
    assert "Solo con SPID/CIE" in sheet and not _checked(sheet, "requires_identity")
    response = client.post(f"/gestione/laboratori/{lab.id}/eventi/nuovo",
                           data=event_form(lab_id=str(lab.id), requires_identity="y"))
    assert response.status_code == 302
    event = db_session.get(Event, int(response.headers["Location"].rsplit("/", 1)[-1]))
    assert event.requires_identity
    assert identity_requirement_audits == [("event.identity_requirement_changed", "events", event.id, lab.city_id,
                              {"required": True})]
    assert _checked(client.get(f"/eventi/{event.id}/modifica").get_data(as_text=True), "requires_identity")

    assert client.post(f"/eventi/{event.id}/modifica", data=event_form(lab_id=str(lab.id))).status_code == 302
    db_session.refresh(event)
    assert not event.requires_identity
    assert identity_requirement_audits[-1] == ("event.identity_requirement_changed", "events", event.id, lab.city_id,
                                 {"required": False})
    # other changes leave no such entry
    assert client.post(f"/eventi/{event.id}/modifica", data=event_form(lab_id=str(lab.id), title="Altro")
                       ).status_code == 302
    assert len(identity_requirement_audits) == 2


def test_an_event_requiring_nothing_leaves_no_entry(client, lab, facilitator, identity_requirement_audits):
    login(client, facilitator)
    assert client.post(f"/gestione/laboratori/{lab.id}/eventi/nuovo",
                       data=event_form(lab_id=str(lab.id))).status_code == 302
    assert identity_requirement_audits == []


# ---- badges ------------------------------------------------------------------------------------

def test_the_badge_shows_on_the_list_card_of_an_event_that_requires_an_identity(client, make_event, lab):
    make_event(lab=lab, title="Con SPID", requires_identity=True)
    make_event(lab=lab, title="Per tutti")
    html = client.get("/eventi").get_data(as_text=True)
    cards = {title: html[html.index(title):html.index("</article>", html.index(title))]
             for title in ("Con SPID", "Per tutti")}
    assert "Solo con SPID/CIE" in cards["Con SPID"] and "Solo con SPID/CIE" not in cards["Per tutti"]


# ---- one person, one seat: an identity moved to another account books no second time ----------

def test_an_identity_relinked_to_another_account_cannot_book_the_event_again(
        app, db_session, make_event, make_user, spid_person):
    from civiclab.accounts import identity_services
    from tests.fixtures.factories import DEMO_PASSWORD

    event = make_event(requires_identity=True)
    person = spid_person
    with app.test_request_context():
        first, second = make_user(), make_user()
        identity_services.link_identity(first, person)
        services.book(first, event)
        identity_services.unlink_identity(first, DEMO_PASSWORD)
        identity_services.link_identity(second, person)
        with pytest.raises(DomainError, match="ha già un'iscrizione a questo evento con un altro account"):
            services.book(second, event)
        db_session.commit()
    assert [r.user_id for r in registrations_of(db_session, event)] == [first.id]
    db_session.refresh(event)
    assert event.confirmed_seats == 1
