"""One-time form keys: a create form sent twice (Back, then "Invia" again) creates once, and the
repeat lands on what the first one created with "già inviato"."""
import re
from datetime import timedelta

import sqlalchemy as sa

from civiclab.comments.models import Comment
from civiclab.core.form_keys import FormKey
from civiclab.core.time import utcnow
from civiclab.events.models import Event
from civiclab.proposals.models import Proposal
from tests.conftest import login, text_of
from tests.unit.events.test_event_management import event_form


def form_key_in(response):
    match = re.search(r'name="form_key" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the form carries no form key"
    return match.group(1)


def proposal_form(call, **changes):
    return {"title": "Orti condivisi", "body": "Un orto nel cortile della scuola.",
            "theme_id": str(call.themes[0].id), "lab_id": "0", "place": "", "send": "Invia", **changes}


def count(db_session, model):
    return db_session.scalar(sa.select(sa.func.count(model.id)))


def test_a_proposal_sent_again_with_the_same_form_is_not_duplicated(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    data = {**proposal_form(call), "form_key": form_key_in(client.get(f"/call/{call.id}/proponi"))}
    first = client.post(f"/call/{call.id}/proponi", data=data)
    assert first.status_code == 302
    again = client.post(f"/call/{call.id}/proponi", data=data)  # Back, then "Invia" again
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(db_session, Proposal) == 1
    assert "Già inviato" in text_of(client.get(again.headers["Location"]))


def test_every_drawing_of_a_form_has_its_own_key(client, make_call, make_user):
    call = make_call()
    login(client, make_user())
    assert form_key_in(client.get(f"/call/{call.id}/proponi")) != form_key_in(client.get(f"/call/{call.id}/proponi"))


def test_two_forms_drawn_separately_create_two_proposals(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    for title in ("Orti condivisi", "Panchine nuove"):
        key = form_key_in(client.get(f"/call/{call.id}/proponi"))
        assert client.post(f"/call/{call.id}/proponi",
                           data={**proposal_form(call, title=title), "form_key": key}).status_code == 302
    assert count(db_session, Proposal) == 2


def test_a_form_sent_back_with_errors_can_be_sent_again_with_its_key(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    key = form_key_in(client.get(f"/call/{call.id}/proponi"))
    assert client.post(f"/call/{call.id}/proponi",
                       data={**proposal_form(call, title=""), "form_key": key}).status_code == 422
    assert client.post(f"/call/{call.id}/proponi",
                       data={**proposal_form(call), "form_key": key}).status_code == 302
    assert count(db_session, Proposal) == 1


def test_a_key_is_its_owners_alone(client, app, db_session, make_call, make_user):
    """Another person posting a key somebody else used creates their own proposal."""
    call = make_call()
    login(client, make_user())
    data = {**proposal_form(call), "form_key": form_key_in(client.get(f"/call/{call.id}/proponi"))}
    client.post(f"/call/{call.id}/proponi", data=data)
    other = app.test_client()
    login(other, make_user())
    response = other.post(f"/call/{call.id}/proponi", data=data)
    assert response.status_code == 302
    assert count(db_session, Proposal) == 2


def test_keys_are_forgotten_after_a_day(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    key = form_key_in(client.get(f"/call/{call.id}/proponi"))
    client.post(f"/call/{call.id}/proponi", data={**proposal_form(call), "form_key": key})
    db_session.execute(sa.update(FormKey).values(created_at=utcnow() - timedelta(days=1, minutes=1)))
    db_session.commit()
    other_key = form_key_in(client.get(f"/call/{call.id}/proponi"))
    client.post(f"/call/{call.id}/proponi", data={**proposal_form(call, title="Altra"), "form_key": other_key})
    # The first POST's keys are gone; the second's random key (and its content key) remain.
    assert db_session.scalars(sa.select(FormKey.key).where(~FormKey.key.startswith("c-"))).all() == [other_key]
    assert db_session.scalar(sa.select(sa.func.count(FormKey.id))) == 2


def test_a_malformed_key_is_ignored(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    response = client.post(f"/call/{call.id}/proponi", data={**proposal_form(call), "form_key": "<x>"})
    assert response.status_code == 302
    assert count(db_session, FormKey) == 0


def test_a_comment_sent_twice_is_posted_once(client, db_session, make_user, make_call, make_proposal):
    proposal = make_proposal(call=make_call())
    login(client, make_user())
    key = form_key_in(client.get(f"/proposte/{proposal.id}"))
    data = {"proposal_id": proposal.id, "body": "Mi piace", "form_key": key}
    first = client.post("/commenti", data=data)
    again = client.post("/commenti", data=data)
    assert again.headers["Location"] == first.headers["Location"]
    assert count(db_session, Comment) == 1


def test_an_event_created_twice_from_one_form_is_created_once(client, db_session, make_lab, make_facilitator):
    lab = make_lab()
    login(client, make_facilitator(lab))
    key = form_key_in(client.get(f"/gestione/laboratori/{lab.id}/eventi/nuovo"))
    data = {**event_form(lab_id=str(lab.id)), "form_key": key}
    first = client.post(f"/gestione/laboratori/{lab.id}/eventi/nuovo", data=data)
    assert first.status_code == 302, text_of(first)
    again = client.post(f"/gestione/laboratori/{lab.id}/eventi/nuovo", data=data)
    assert again.headers["Location"] == first.headers["Location"]
    assert count(db_session, Event) == 1


def test_a_guest_booking_sent_twice_mails_one_link(client, make_event, outbox):
    """Visitors have keys too, tied to their session."""
    event = make_event()
    key = form_key_in(client.get(f"/eventi/{event.id}/prenota-senza-account"))
    data = {"name": "Marta Rossi", "email": "marta@example.org", "privacy_consent": "y", "form_key": key}
    first = client.post(f"/eventi/{event.id}/iscrizione-ospite", data=data)
    again = client.post(f"/eventi/{event.id}/iscrizione-ospite", data=data)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert len(outbox) == 1


def test_create_forms_carry_a_key(client, make_call, make_proposal, make_event, make_lab, make_facilitator,
                                   make_city, make_staff):
    lab = make_lab()
    login(client, make_facilitator(lab))
    proposal = make_proposal(call=make_call())
    staff_city = make_city()
    pages = [f"/call/{proposal.call_id}/proponi", f"/proposte/{proposal.id}", f"/eventi/{make_event().id}",
             f"/gestione/laboratori/{lab.id}/eventi/nuovo", f"/gestione/laboratori/{lab.id}/stanze/nuova"]
    for page in pages:
        assert form_key_in(client.get(page)), page
    login(client, make_staff(staff_city))
    for page in (f"/gestione/citta/{staff_city.slug}/call/nuova", f"/citta/{staff_city.slug}/laboratori/nuovo",
                 f"/citta/{staff_city.slug}/progetti/nuovo"):
        assert form_key_in(client.get(page)), page


# ---- Back on a no-store page: the browser draws the form again (a new key) and refills it ------

def test_the_same_proposal_refilled_in_a_form_drawn_again_lands_on_the_first(client, db_session, make_call,
                                                                             make_user):
    call = make_call()
    login(client, make_user())
    first = client.post(f"/call/{call.id}/proponi", data={
        **proposal_form(call), "form_key": form_key_in(client.get(f"/call/{call.id}/proponi"))})
    # Back: the page comes again with a new key, the browser puts the typed text back.
    again = client.post(f"/call/{call.id}/proponi", data={
        **proposal_form(call), "form_key": form_key_in(client.get(f"/call/{call.id}/proponi"))})
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(db_session, Proposal) == 1
    assert "Già inviato" in text_of(client.get(again.headers["Location"]))


def test_the_repeat_key_leads_to_the_first_result_too(client, db_session, make_call, make_user):
    call = make_call()
    login(client, make_user())
    client.post(f"/call/{call.id}/proponi", data={
        **proposal_form(call), "form_key": form_key_in(client.get(f"/call/{call.id}/proponi"))})
    data = {**proposal_form(call), "form_key": form_key_in(client.get(f"/call/{call.id}/proponi"))}
    second, third = client.post(f"/call/{call.id}/proponi", data=data), client.post(f"/call/{call.id}/proponi", data=data)
    assert second.headers["Location"] == third.headers["Location"] and count(db_session, Proposal) == 1


def test_the_same_text_sent_long_after_is_a_new_proposal(client, db_session, make_call, make_user):
    import time_machine

    call = make_call()
    login(client, make_user())
    client.post(f"/call/{call.id}/proponi", data={
        **proposal_form(call), "form_key": form_key_in(client.get(f"/call/{call.id}/proponi"))})
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        again = client.post(f"/call/{call.id}/proponi", data={
            **proposal_form(call), "form_key": form_key_in(client.get(f"/call/{call.id}/proponi"))})
    assert again.status_code == 302 and count(db_session, Proposal) == 2


def test_a_comment_refilled_after_back_is_posted_once(client, db_session, make_user, make_call, make_proposal):
    proposal = make_proposal(call=make_call(phase="review"))
    login(client, make_user())
    for _ in range(2):
        key = form_key_in(client.get(f"/proposte/{proposal.id}"))
        client.post("/commenti", data={"proposal_id": str(proposal.id), "body": "Sono d'accordo.",
                                       "form_key": key})
    assert count(db_session, Comment) == 1


def test_a_booking_cancelled_and_made_again_goes_through(client, db_session, make_event, make_user):
    """Bookings are not marked: the same fields sent again after a cancellation book again."""
    from civiclab.events.models import Registration, RegistrationState

    event = make_event()
    login(client, make_user())
    for _ in range(2):
        key = form_key_in(client.get(f"/eventi/{event.id}"))
        assert client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1", "form_key": key}).status_code == 302
        registration = db_session.scalar(sa.select(Registration).where(
            Registration.event_id == event.id, Registration.state == RegistrationState.CONFIRMED))
        assert registration is not None
        client.post(f"/iscrizioni/{registration.id}/annulla", data={"confirm": "yes"})
    assert db_session.scalar(sa.select(sa.func.count(Registration.id)).where(
        Registration.event_id == event.id)) >= 2
