"""The same proposal form sent twice at the same moment (a double click, two tabs) creates one
proposal, on real connections: each POST in its own thread with its own client and transaction,
released together by a barrier, the first one slowed down inside its transaction so that the
second really arrives while it runs."""
import re
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.extensions import db
from tests.conftest import make_app, password_hash, temporary_postgres_app

SENDERS = 4


def build_call_and_author(app):
    from civiclab.accounts.models import User
    from civiclab.core.time import utcnow
    from civiclab.places.models import City, Lab
    from civiclab.proposals.models import Call, CallTheme

    from civiclab.accounts.sessions import open_session

    with app.app_context():
        city = City(name="Bologna", slug="bologna", region="Emilia-Romagna")
        lab = Lab(city=city, name="Urban Center", slug="urban-center")
        now = utcnow()
        call = Call(city=city, lab=lab, title="Idee per il quartiere", description="", description_html="",
                    proposals_from=now - timedelta(days=1), review_from=now + timedelta(days=10),
                    supports_from=now + timedelta(days=20), closes_at=now + timedelta(days=30), published=True)
        call.themes = [CallTheme(name="Verde", position=0)]
        author = User(email="autrice@example.org", display_name="Autrice", password_hash=password_hash("x"),
                      privacy_consent_at=now, email_confirmed_at=now)
        db.session.add_all([call, author])
        db.session.flush()
        open_session(author, user_agent="pytest")  # a sign-in session row, named by the cookie
        token = author.get_id()
        db.session.commit()
        return call.id, token


def login(client, user_token):
    with client.session_transaction() as session:
        session["_user_id"] = user_token
        session["_fresh"] = True


def send_all_at_once(app, call_id, author, monkeypatch):
    from civiclab.proposals import services

    create = services.create_proposal

    def slow_create(*args, **kwargs):
        proposal = create(*args, **kwargs)
        time.sleep(0.3)  # inside the transaction that holds the key
        return proposal

    monkeypatch.setattr(services, "create_proposal", slow_create)
    client = app.test_client()
    login(client, author)
    page = client.get(f"/call/{call_id}/proponi").get_data(as_text=True)
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    with app.app_context():
        theme_id = db.session.scalar(sa.text("SELECT id FROM call_themes"))
    data = {"title": "Orti condivisi", "body": "Un orto nel cortile.", "theme_id": str(theme_id),
            "lab_id": "0", "place": "", "send": "Invia", "form_key": key}
    barrier = threading.Barrier(SENDERS)
    answers, errors = [], []

    def send():
        try:
            sender = app.test_client()
            login(sender, author)
            barrier.wait()
            response = sender.post(f"/call/{call_id}/proponi", data=data)
            answers.append((response.status_code, response.headers.get("Location")))
        except Exception as error:  # noqa: BLE001 - collected and reported by the test
            errors.append(repr(error))

    threads = [threading.Thread(target=send) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers, errors


def check_one_proposal(app, answers, errors):
    from civiclab.proposals.models import Proposal

    assert errors == []
    with app.app_context():
        ids = db.session.scalars(sa.select(Proposal.id)).all()
    assert len(ids) == 1
    assert answers == [(302, f"/proposte/{ids[0]}")] * SENDERS


def run_the_double_submit(app, monkeypatch):
    call_id, author = build_call_and_author(app)
    answers, errors = send_all_at_once(app, call_id, author, monkeypatch)
    check_one_proposal(app, answers, errors)


def test_a_form_sent_several_times_at_once_creates_one_proposal_on_sqlite(tmp_path, monkeypatch):
    run_the_double_submit(make_app(f"sqlite:///{tmp_path / 'double.sqlite3'}"), monkeypatch)


@pytest.mark.postgres
def test_a_form_sent_several_times_at_once_creates_one_proposal_on_postgresql(postgres_admin_url, monkeypatch):
    with temporary_postgres_app() as app:
        run_the_double_submit(app, monkeypatch)
