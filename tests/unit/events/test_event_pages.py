"""The public event pages: the list with its filters, the event page, and where events show up."""
import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.models import ParticipantType
from civiclab.core.time import utcnow
from civiclab.events.models import Event, EventAudience, EventState, Registration, RegistrationState
from tests.conftest import login


@pytest.fixture
def ferrara(make_city):
    return make_city(name="Ferrara")


@pytest.fixture
def urban_center(make_lab, bologna):
    return make_lab(city=bologna, name="Urban Center", venue="Sala Borsa", address="Piazza del Nettuno 3",
                    accessibility="Ingresso senza gradini da piazza Nettuno.\nAscensore al primo piano.")


@pytest.fixture
def teatro_verdi(make_lab, ferrara):
    return make_lab(city=ferrara, name="ex Teatro Verdi", address="Via Castelnuovo 10")


def titles(response):
    """The event titles a list page shows, in order."""
    return [html.unescape(t) for t in re.findall(r'<h3 class="card-title h5" id="event-card-\d+"><a [^>]*>([^<]*)</a>',
                                                   response.text)]


def in_days(days, hour=16):
    day = (utcnow() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# ---- the list --------------------------------------------------------------------------------

def test_the_list_shows_upcoming_events_with_place_time_and_seats(client, db_session, make_event, urban_center,
                                                                 make_user, register):
    event = make_event(lab=urban_center, title="Mappe di comunità", capacity=30,
                       starts_at=datetime(2030, 7, 17, 16, 0, tzinfo=UTC))
    register(event, make_user(), seats=1)

    response = client.get("/eventi")

    assert response.status_code == 200
    assert titles(response) == ["Mappe di comunità"]
    assert "Urban Center · Bologna" in response.text
    assert "mercoledì 17 luglio 2030, 18:00" in response.text and "–<time" in response.text
    assert "29 posti liberi su 30" in response.text
    assert f'href="/eventi/{event.id}"' in response.text
    assert "1 evento trovato" in response.text


def test_full_events_offer_the_waiting_list_and_cancelled_ones_say_so(client, db_session, make_event,
                                                                    urban_center, make_user, register):
    full = make_event(lab=urban_center, title="Pieno", capacity=1, starts_at=in_days(3))
    register(full, make_user())
    make_event(lab=urban_center, title="Saltato", state=EventState.CANCELLED, starts_at=in_days(4),
               cancel_reason="Maltempo")

    response = client.get("/eventi")

    assert titles(response) == ["Pieno", "Saltato"]
    assert "Completo" in response.text and "lista d’attesa" in response.text
    assert "Annullato" in response.text


def test_drafts_are_in_no_list_and_do_not_exist_for_the_public(client, db_session, make_event, urban_center,
                                                              make_user, make_lab, make_facilitator):
    draft = make_event(lab=urban_center, title="Ancora segreto", state=EventState.DRAFT, published_at=None)

    assert "Ancora segreto" not in client.get("/eventi").text
    assert client.get(f"/eventi/{draft.id}").status_code == 404
    login(client, make_user())
    assert client.get(f"/eventi/{draft.id}").status_code == 404
    login(client, make_facilitator(make_lab(city=urban_center.city)))
    assert client.get(f"/eventi/{draft.id}").status_code == 404
    login(client, make_facilitator(urban_center))
    page = client.get(f"/eventi/{draft.id}")
    assert page.status_code == 200 and "Pubblica l’evento" in page.text


def test_past_events_have_their_own_tab_latest_first(client, db_session, make_event, urban_center):
    make_event(lab=urban_center, title="Domani", starts_at=in_days(1))
    make_event(lab=urban_center, title="Mese scorso", starts_at=in_days(-30), state=EventState.FINISHED)
    make_event(lab=urban_center, title="Ieri", starts_at=in_days(-1))
    make_event(lab=urban_center, title="Annullato ieri", starts_at=in_days(-1, hour=8),
               state=EventState.CANCELLED)

    upcoming = client.get("/eventi")
    past = client.get("/eventi?quando=passati")

    assert titles(upcoming) == ["Domani"]
    assert titles(past) == ["Ieri", "Annullato ieri", "Mese scorso"]
    assert 'aria-current="page">Passati' in past.text


def test_an_event_under_way_is_still_upcoming(client, db_session, make_event, urban_center):
    make_event(lab=urban_center, title="In corso", starts_at=utcnow() - timedelta(hours=1))

    assert titles(client.get("/eventi")) == ["In corso"]
    assert titles(client.get("/eventi?quando=passati")) == []


def test_filters_by_city_and_lab(client, db_session, make_event, urban_center, teatro_verdi, make_lab):
    other_bologna_lab = make_lab(city=urban_center.city, name="Piazza Lucio Dalla")
    make_event(lab=urban_center, title="A Bologna", starts_at=in_days(1))
    make_event(lab=other_bologna_lab, title="Sempre a Bologna", starts_at=in_days(2))
    make_event(lab=teatro_verdi, title="A Ferrara", starts_at=in_days(3))

    assert titles(client.get("/eventi?citta=bologna")) == ["A Bologna", "Sempre a Bologna"]
    assert titles(client.get("/eventi?citta=ferrara")) == ["A Ferrara"]
    assert titles(client.get(f"/eventi?laboratorio={other_bologna_lab.id}")) == ["Sempre a Bologna"]
    assert titles(client.get("/eventi?citta=atlantide")) == ["A Bologna", "Sempre a Bologna", "A Ferrara"]
    page = client.get(f"/eventi?laboratorio={teatro_verdi.id}")
    assert f'<option selected value="{teatro_verdi.id}">ex Teatro Verdi</option>' in page.text
    assert '<optgroup label="Ferrara">' in page.text


def test_filters_by_date_range_on_rome_days(client, db_session, make_event, urban_center):
    # 23:30 in Rome on 9 July is 21:30 UTC: it belongs to the 9th, not to the 10th.
    make_event(lab=urban_center, title="Sera del 9", starts_at=datetime(2030, 7, 9, 21, 30, tzinfo=UTC))
    make_event(lab=urban_center, title="Notte del 10", starts_at=datetime(2030, 7, 9, 22, 30, tzinfo=UTC))
    make_event(lab=urban_center, title="Il 12", starts_at=datetime(2030, 7, 12, 8, 0, tzinfo=UTC))

    assert titles(client.get("/eventi?dal=2030-07-10")) == ["Notte del 10", "Il 12"]
    assert titles(client.get("/eventi?al=2030-07-09")) == ["Sera del 9"]
    assert titles(client.get("/eventi?dal=10/07/2030&al=11/07/2030")) == ["Notte del 10"]


def test_a_malformed_date_filter_is_shown_and_ignored(client, db_session, make_event, urban_center):
    make_event(lab=urban_center, title="Qualunque", starts_at=in_days(1))

    response = client.get("/eventi?dal=ieri")

    assert response.status_code == 422
    assert "Data non valida" in response.text and titles(response) == ["Qualunque"]


def test_filters_by_audience_keep_events_open_to_everybody(client, db_session, make_event, urban_center):
    make_event(lab=urban_center, title="Per tutti", starts_at=in_days(1))
    make_event(lab=urban_center, title="Per le scuole", starts_at=in_days(2), audience=[ParticipantType.SCUOLA])
    make_event(lab=urban_center, title="Per imprese e università", starts_at=in_days(3),
               audience=[ParticipantType.IMPRESA, ParticipantType.UNIVERSITA])

    assert titles(client.get("/eventi?pubblico=scuola")) == ["Per tutti", "Per le scuole"]
    assert titles(client.get("/eventi?pubblico=universita")) == ["Per tutti", "Per imprese e università"]
    assert titles(client.get("/eventi?pubblico=cittadino")) == ["Per tutti"]
    assert len(titles(client.get("/eventi?pubblico=marziani"))) == 3


def test_free_text_searches_title_and_description_ignoring_case(client, db_session, make_event, urban_center):
    make_event(lab=urban_center, title="Mappe di comunità", starts_at=in_days(1))
    make_event(lab=urban_center, title="Open data", description="<p>Dati aperti e MAPPE del comune</p>",
               starts_at=in_days(2))
    make_event(lab=urban_center, title="Sconto 100% sui caffè", starts_at=in_days(3))

    assert titles(client.get("/eventi?q=mappe")) == ["Mappe di comunità", "Open data"]
    assert titles(client.get("/eventi?q=OPEN")) == ["Open data"]
    assert titles(client.get("/eventi?q=100%25")) == ["Sconto 100% sui caffè"]
    assert titles(client.get("/eventi?q=%25")) == ["Sconto 100% sui caffè"]  # % is a character, not a wildcard
    assert titles(client.get("/eventi?q=nulla+di+simile")) == []


def test_filters_combine_and_survive_the_tabs(client, db_session, make_event, urban_center, teatro_verdi):
    make_event(lab=urban_center, title="Mappe a Bologna", starts_at=in_days(1))
    make_event(lab=teatro_verdi, title="Mappe a Ferrara", starts_at=in_days(1))
    make_event(lab=urban_center, title="Mappe passate", starts_at=in_days(-3))

    response = client.get("/eventi?citta=bologna&q=mappe")

    assert titles(response) == ["Mappe a Bologna"]
    assert 'href="/eventi?quando=passati&amp;citta=bologna&amp;q=mappe"' in response.text
    assert titles(client.get("/eventi?quando=passati&q=mappe&citta=bologna")) == ["Mappe passate"]


def test_the_list_is_paginated(app, client, db_session, make_event, urban_center):
    per_page = app.config["PER_PAGE"]
    for n in range(per_page + 2):
        make_event(lab=urban_center, title=f"Evento {n:02d}", starts_at=in_days(1) + timedelta(minutes=n))

    first = client.get("/eventi")
    second = client.get("/eventi?page=2")

    assert len(titles(first)) == per_page and titles(first)[0] == "Evento 00"
    assert titles(second) == [f"Evento {per_page:02d}", f"Evento {per_page + 1:02d}"]
    assert f"{per_page + 2} eventi trovati" in first.text
    assert 'href="/eventi?page=2"' in first.text


def _bulk_events(db_session, lab, count, start, days=1):
    """`count` published events of `lab` in `days`, each with two confirmed registrations, half
    of them with an audience."""
    now = utcnow()
    db_session.execute(sa.insert(Event), [{
        "lab_id": lab.id, "title": f"Evento in serie {start + n}", "description": "<p>Serie</p>",
        "starts_at": now + timedelta(days=days, minutes=start + n),
        "ends_at": now + timedelta(days=days, minutes=start + n + 120),
        "capacity": 30, "confirmed_seats": 2, "state": EventState.PUBLISHED, "published_at": now,
    } for n in range(count)])
    ids = db_session.scalars(sa.select(Event.id).where(Event.title.like("Evento in serie %"))
                             .order_by(Event.id).offset(start)).all()
    db_session.execute(sa.insert(Registration), [{
        "event_id": event_id, "guest_name": "Ospite", "guest_email": f"ospite{k}-{event_id}@example.org",
        "participant_type": ParticipantType.CITTADINO, "seats": 1, "state": RegistrationState.CONFIRMED,
        "code": f"CODE{k}XYZ", "confirmed_at": now,
    } for event_id in ids for k in (2, 3)])
    db_session.execute(sa.insert(EventAudience), [
        {"event_id": event_id, "participant_type": ParticipantType.SCUOLA} for event_id in ids[::2]])
    db_session.commit()


@pytest.mark.parametrize("query, days", [
    ("", 1),
    ("?pubblico=scuola&q=serie&citta=bologna&dal=01/01/2000", 1),
    ("?quando=passati", -10),
])
def test_the_list_costs_the_same_queries_at_10_and_at_1000_events(client, db_session, count_queries,
                                                                 urban_center, query, days):
    _bulk_events(db_session, urban_center, 10, start=0, days=days)
    with count_queries() as few:
        small = client.get(f"/eventi{query}")
    _bulk_events(db_session, urban_center, 990, start=10, days=days)
    with count_queries() as many:
        large = client.get(f"/eventi{query}")

    assert small.status_code == large.status_code == 200
    assert len(titles(small)) == 10 and len(titles(large)) == 20
    assert "1000 eventi trovati" in large.text
    assert len(few) == len(many), "\n".join(many)
    assert 3 <= len(many) <= 5, "\n".join(many)  # choices, events, audiences, count


# ---- the event page --------------------------------------------------------------------------

def test_the_event_page_shows_what_where_when_and_seats(client, db_session, make_event, urban_center, make_user,
                                                        register):
    event = make_event(lab=urban_center, title="Mappe di comunità", capacity=20,
                       description='Porta una *matita*.\n\n<script>alert("x")</script>',
                       starts_at=datetime(2030, 7, 17, 16, 0, tzinfo=UTC),
                       audience=[ParticipantType.SCUOLA], max_seats_per_booking=25)
    register(event, make_user(participant_type=ParticipantType.SCUOLA), seats=5)

    page = client.get(f"/eventi/{event.id}")

    assert page.status_code == 200
    text = page.text
    assert "<h1>Mappe di comunità</h1>" in text
    assert "mercoledì 17 luglio 2030, 18:00" in text and "20:00" in text
    assert "Sala Borsa" in text and "Piazza del Nettuno 3" in text and "Bologna" in text
    assert "<p>Ingresso senza gradini da piazza Nettuno.</p>" in text and "Ascensore al primo piano." in text
    assert "Porta una <em>matita</em>." in text and "<script>alert" not in text
    assert "15 posti liberi su 20" in text
    assert "Iscrizioni aperte" in text and "Riservato a: Scuola." in text
    assert "fino a 25 posti per un gruppo" in text
    assert "Modifica l’evento" not in text


@pytest.mark.parametrize("changes, reason", [
    ({"registration_closes_at": datetime(2030, 7, 1, tzinfo=UTC)}, None),
    ({"registration_opens_at": datetime(2030, 7, 1, tzinfo=UTC)}, "Le iscrizioni non sono ancora aperte."),
    ({"state": EventState.CANCELLED, "cancel_reason": "Sciopero dei trasporti"}, "L'evento è stato annullato."),
])
def test_the_event_page_says_why_registration_is_closed(client, db_session, make_event, urban_center,
                                                       changes, reason):
    event = make_event(lab=urban_center, starts_at=datetime(2030, 7, 17, 16, 0, tzinfo=UTC), **changes)

    text = html.unescape(client.get(f"/eventi/{event.id}").text)

    if reason is None:
        assert "Iscrizioni aperte</strong> fino a lunedì 1 luglio 2030, 02:00." in text  # 00:00 UTC
    else:
        assert "Iscrizioni chiuse." in text and reason in text
    if event.state is EventState.CANCELLED:
        assert "Questo evento è stato annullato." in text and "Sciopero dei trasporti" in text


def test_a_past_event_says_it_is_over(client, db_session, make_event, urban_center):
    event = make_event(lab=urban_center, starts_at=in_days(-2), state=EventState.FINISHED)

    text = html.unescape(client.get(f"/eventi/{event.id}").text)

    assert "Concluso" in text and "L'evento è già concluso." in text and "posti liberi" not in text


def test_the_online_link_is_only_for_confirmed_registrants_and_who_runs_the_event(
        client, db_session, make_event, urban_center, make_user, make_facilitator, register):
    event = make_event(lab=urban_center, is_online=True, online_url="https://meet.example.org/segreto", capacity=1)
    confirmed, waiting = make_user(), make_user()
    register(event, confirmed)
    register(event, waiting, state=RegistrationState.WAITING, code="WAITING2")
    url = f"/eventi/{event.id}"

    assert "meet.example.org" not in client.get(url).text
    login(client, make_user())
    assert "meet.example.org" not in client.get(url).text
    login(client, waiting)
    page = client.get(url)
    assert "meet.example.org" not in page.text and "visibile agli iscritti confermati" in page.text
    login(client, confirmed)
    assert 'href="https://meet.example.org/segreto"' in client.get(url).text
    login(client, make_facilitator(urban_center))
    assert 'href="https://meet.example.org/segreto"' in client.get(url).text


def test_managers_see_their_actions_on_the_event_page(client, db_session, make_event, urban_center, make_staff):
    event = make_event(lab=urban_center)
    login(client, make_staff(urban_center.city))

    text = client.get(f"/eventi/{event.id}").text

    assert f'href="/eventi/{event.id}/modifica"' in text and f'href="/eventi/{event.id}/annulla"' in text
    assert "Pubblica l’evento" not in text  # already published


def test_an_unknown_event_is_not_found(client, db_session):
    assert client.get("/eventi/999999").status_code == 404


# ---- where events show up --------------------------------------------------------------------

def test_the_home_page_links_the_next_published_events(client, db_session, make_event, urban_center):
    for n in range(5):
        make_event(lab=urban_center, title=f"Prossimo {n}", starts_at=in_days(n + 1))
    make_event(lab=urban_center, title="Bozza nascosta", state=EventState.DRAFT, starts_at=in_days(1))
    make_event(lab=urban_center, title="Già passato", starts_at=in_days(-3))

    response = client.get("/")

    assert "Prossimi eventi" in response.text
    assert titles(response) == ["Prossimo 0", "Prossimo 1", "Prossimo 2", "Prossimo 3"]
    assert 'href="/eventi"' in response.text


def test_the_lab_page_lists_its_upcoming_events(client, db_session, make_event, urban_center, teatro_verdi,
                                               make_facilitator):
    make_event(lab=urban_center, title="Del laboratorio", starts_at=in_days(2))
    make_event(lab=urban_center, title="Bozza del laboratorio", starts_at=in_days(3), state=EventState.DRAFT)
    make_event(lab=teatro_verdi, title="Di un altro", starts_at=in_days(2))
    url = f"/citta/{urban_center.city.slug}/laboratori/{urban_center.slug}"

    public = client.get(url)
    assert titles(public) == ["Del laboratorio"]
    assert f'href="/eventi?laboratorio={urban_center.id}"' in public.text
    assert "Nuovo evento" not in public.text

    login(client, make_facilitator(urban_center))
    managed = client.get(url)
    assert titles(managed) == ["Del laboratorio", "Bozza del laboratorio"]
    assert f'href="/gestione/laboratori/{urban_center.id}/eventi/nuovo"' in managed.text


def test_the_menu_and_footer_lead_to_the_events(client, db_session):
    text = client.get("/eventi").text

    assert re.search(r'<a class="nav-link active" href="/eventi"\s+aria-current="page"><span>Eventi</span>', text)
    assert "Gli eventi dei laboratori</a>" in text


def test_who_runs_the_event_finds_check_in_attendance_and_the_dashboard_from_its_pages(
        client, make_event, make_facilitator, make_user):
    event = make_event()
    login(client, make_facilitator(event.lab))
    html = client.get(f"/eventi/{event.id}").get_data(as_text=True)
    for path in (f"/eventi/{event.id}/accoglienza", f"/eventi/{event.id}/presenze.csv",
                 f"/gestione/laboratori/{event.lab_id}/eventi"):
        assert f'href="{path}"' in html
    lab_html = client.get(f"/citta/{event.lab.city.slug}/laboratori/{event.lab.slug}").get_data(as_text=True)
    assert f'href="/gestione/laboratori/{event.lab_id}/eventi"' in lab_html

    login(client, make_user())
    assert "/accoglienza" not in client.get(f"/eventi/{event.id}").get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "page=99999999999999999999999", "page=9223372036854775807", "laboratorio=99999999999999999999999",
    "citta=99999999999999999999999", "dal=01/01/0001", "al=31/12/9999", "dal=xx",
])
def test_absurd_list_parameters_never_break_the_list(client, make_event, query):
    make_event()
    response = client.get(f"/eventi?{query}")
    assert response.status_code in (200, 404, 422)  # a page past the last one is not found
    assert "Gli eventi dei laboratori" in response.text or response.status_code == 404


@pytest.mark.parametrize("path", ["/account/eventi", "/notifiche", "/gestione/laboratori/{lab}/eventi",
                                  "/eventi/{event}/accoglienza"])
def test_a_huge_page_number_is_not_found_never_an_error(client, make_event, make_staff, path):
    event = make_event()
    login(client, make_staff(event.lab.city))
    url = path.format(lab=event.lab_id, event=event.id)
    assert client.get(f"{url}?page=99999999999999999999999").status_code in (200, 404)
