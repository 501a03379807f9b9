"""The job queue on a real Redis (JOB_QUEUE=rq, core/jobs.py): mail leaves a request only after its
commit and through the worker; a job that keeps failing is retried, then shown to administrators
on /gestione/code, who try it again or delete it; reminders and digests queued by their commands
are sent once by the worker, however often they are queued.

Each test has a queue of its own on TEST_REDIS_URL (its keys deleted afterwards) and runs the
worker in this process, in burst mode (it does what is queued, then returns), so the jobs see the
test's database session and the mail it sends is captured.
"""
import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from civiclab.core import jobs
from civiclab.core.mail import send_mail
from civiclab.core.signals import audited
from civiclab.core.time import utcnow
from civiclab.events import services as events
from civiclab.events.models import Registration
from civiclab.notifications.models import Delivery
from tests.conftest import login, text_of

pytestmark = pytest.mark.redis

SECRET = "a-mail-body-nobody-may-read-on-the-page"


def failing_job(body):
    """A job whose mail server always refuses (module-level: the worker imports it by name)."""
    raise ConnectionRefusedError(f"554 the mail server refused the message for {len(body)} characters")


@pytest.fixture
def rq_queue(app, redis_url, monkeypatch):
    """JOB_QUEUE=rq on a queue of this test's own, retries without waiting; its keys go afterwards."""
    import redis
    from rq.registry import (
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    name = f"civiclab-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.config, "JOB_QUEUE", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", name)
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", (0, 0))  # three attempts, one after the other
    app.extensions.pop("civiclab_jobs", None)
    with app.app_context():
        queue = jobs.queue(app)
    yield queue
    client = redis.Redis.from_url(redis_url)
    ids = set(queue.get_job_ids())
    for registry in (FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry, StartedJobRegistry):
        ids.update(registry(queue=queue).get_job_ids(cleanup=False))
    for job_id in ids:
        for key in client.scan_iter(f"rq:*{job_id}*"):
            client.delete(key)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.close()
    app.extensions.pop("civiclab_jobs", None)


def work(app):
    """The worker in burst mode, in this process: what is queued is done, then it returns."""
    return jobs.work(app, burst=True, simple=True, logging_level="WARNING")


def failed_ids(queue):
    from rq.registry import FailedJobRegistry

    return FailedJobRegistry(queue=queue).get_job_ids()


@pytest.fixture
def audit_log():
    entries = []

    def record(actor, **fields):
        entries.append((actor, fields))

    audited.connect(record)
    yield entries
    audited.disconnect(record)


# ---- mail after the commit, through the worker --------------------------------------------

def test_a_mail_of_a_request_is_queued_at_the_commit_and_nothing_after_a_rollback(app, db_session, rq_queue,
                                                                                   outbox):
    with app.test_request_context("/", method="POST"):
        db_session.execute(sa.text("SELECT 1"))  # a request's transaction, as loading its user opens
        send_mail("marta@example.org", "Benvenuta", "confirm", link="https://x", days=3)
        assert rq_queue.count == 0  # not before the commit
        db_session.rollback()
        db_session.commit()
    assert rq_queue.count == 0  # rolled back: dropped

    with app.test_request_context("/", method="POST"):
        send_mail("marta@example.org", "Benvenuta", "confirm", link="https://x", days=3)
        db_session.commit()
    assert rq_queue.count == 1 and outbox == []
    [job] = rq_queue.get_jobs()
    assert job.description == "civiclab.core.mail.deliver"

    assert work(app)
    [message] = outbox
    assert message.recipients == ["marta@example.org"] and message.subject == "Benvenuta"


def test_a_booking_answers_first_and_the_worker_mails_the_confirmation(app, client, db_session, rq_queue, outbox,
                                                                        make_event, make_user):
    event = make_event()
    reader = make_user(locale="en")
    login(client, reader)

    response = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})

    assert response.status_code == 302
    assert outbox == [] and rq_queue.count == 1  # the mail job, queued after the booking's commit
    work(app)
    registration = db_session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    [message] = [m for m in outbox if m.recipients == [reader.email]]
    assert message.subject == f"Registration confirmed: {event.title}"
    assert registration.code in message.body
    assert [a.content_type for a in message.attachments] == ["text/calendar", "image/png"]
    assert rq_queue.count == 0 and failed_ids(rq_queue) == []


def test_a_refused_booking_queues_nothing(client, db_session, rq_queue, make_event, make_user):
    event = make_event(capacity=1)
    person = make_user()
    login(client, person)
    assert client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"}).status_code == 302
    queued = rq_queue.count
    again = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    assert again.status_code == 422
    assert rq_queue.count == queued


# ---- failed jobs ---------------------------------------------------------------------------

def _fail_one(app, rq_queue):
    jobs.enqueue(failing_job, SECRET)  # outside a request: queued at once
    work(app)
    [job_id] = failed_ids(rq_queue)
    return job_id


def test_a_failing_job_is_tried_three_times_then_listed_for_administrators_without_its_arguments(
        app, client, db_session, rq_queue, make_user):
    job_id = _fail_one(app, rq_queue)
    login(client, make_user(is_admin=True))

    page = client.get("/gestione/code")

    assert page.status_code == 200
    text = text_of(page)
    assert "Non riusciti 1" in text
    assert job_id in text and f"{failing_job.__module__}.failing_job" in text
    assert "ConnectionRefusedError: 554 the mail server refused the message for 39 characters" in text
    row = re.search(rf"{job_id}.*?</tr>", page.text, re.DOTALL).group(0)
    assert re.search(r"<td>\s*3\s*</td>", row), "three attempts"
    assert SECRET not in page.text  # the job's arguments are never shown


def test_an_administrator_tries_a_failed_job_again(app, client, db_session, rq_queue, make_user, audit_log):
    job_id = _fail_one(app, rq_queue)
    admin = make_user(is_admin=True)
    login(client, admin)

    response = client.post(f"/gestione/code/{job_id}/riprova", follow_redirects=True)

    assert response.status_code == 200 and "Il lavoro è di nuovo in coda." in text_of(response)
    assert failed_ids(rq_queue) == [] and rq_queue.get_job_ids() == [job_id]
    [(actor, entry)] = [(a, e) for a, e in audit_log if e["action"] == "job.requeued"]
    assert actor.id == admin.id and entry["subject_type"] == "job" and entry["details"]["job_id"] == job_id
    assert SECRET not in str(entry)


def test_an_administrator_deletes_a_failed_job(app, client, db_session, rq_queue, make_user, audit_log):
    from rq.job import Job

    job_id = _fail_one(app, rq_queue)
    login(client, make_user(is_admin=True))

    response = client.post(f"/gestione/code/{job_id}/elimina", follow_redirects=True)

    assert response.status_code == 200 and "Il lavoro è stato eliminato." in text_of(response)
    assert failed_ids(rq_queue) == [] and rq_queue.count == 0
    assert not Job.exists(job_id, connection=rq_queue.connection)
    assert [e["details"]["job_id"] for _a, e in audit_log if e["action"] == "job.deleted"] == [job_id]
    # Gone: asked again, there is nothing to delete.
    assert client.post(f"/gestione/code/{job_id}/elimina").status_code == 404


def test_the_queue_page_and_its_buttons_refuse_who_is_not_an_administrator(app, client, db_session, rq_queue,
                                                                          make_user, make_staff, make_city):
    job_id = _fail_one(app, rq_queue)
    assert client.get("/gestione/code").status_code == 302  # to the login page
    for person in (make_user(), make_staff(make_city())):
        login(client, person)
        assert client.get("/gestione/code").status_code == 403
        assert client.post(f"/gestione/code/{job_id}/riprova").status_code == 403
        assert client.post(f"/gestione/code/{job_id}/elimina").status_code == 403
    assert failed_ids(rq_queue) == [job_id]


def test_an_unknown_or_malformed_job_id_is_not_found(client, db_session, rq_queue, make_user):
    login(client, make_user(is_admin=True))
    assert client.post(f"/gestione/code/{uuid.uuid4().hex}/riprova").status_code == 404
    assert client.post("/gestione/code/..%2Frq:workers/elimina").status_code == 404
    assert client.post("/gestione/code/" + "a" * 200 + "/elimina").status_code == 404


def test_the_buttons_need_the_csrf_token(app, client, db_session, rq_queue, make_user, monkeypatch):
    job_id = _fail_one(app, rq_queue)
    login(client, make_user(is_admin=True))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/gestione/code/{job_id}/elimina")
    assert response.status_code in (302, 400)
    assert failed_ids(rq_queue) == [job_id]


def test_the_page_says_so_when_redis_does_not_answer(app, client, db_session, rq_queue, make_user, monkeypatch):
    login(client, make_user(is_admin=True))
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    app.extensions.pop("civiclab_jobs", None)
    response = client.get("/gestione/code")
    assert response.status_code == 503 and "non risponde" in text_of(response)
    with app.app_context(), pytest.raises(jobs.QueueUnavailable):
        jobs.queue_status(app)
    app.extensions.pop("civiclab_jobs", None)


def test_queue_status_reports_the_counts(app, db_session, rq_queue):
    _fail_one(app, rq_queue)
    assert jobs.queue_status(app) == "rq: 0 queued, 1 failed"


# ---- reminders and digests -----------------------------------------------------------------

def test_reminders_queued_twice_are_sent_once_by_the_worker(app, db_session, rq_queue, outbox, public_address,
                                                             make_event, make_user):
    event = make_event(starts_at=utcnow() + timedelta(hours=20))
    people = [make_user(), make_user()]
    for person in people:
        events.book(person, event)
    db_session.commit()
    work(app)  # the booking confirmations
    outbox.clear()

    runner = app.test_cli_runner()
    for _ in range(2):  # two timers, or one run twice
        result = runner.invoke(args=["send-event-reminders"])
        assert result.exit_code == 0 and "queued" in result.output, result.output
    assert outbox == [] and rq_queue.count == 2
    work(app)

    assert sorted(m.recipients[0] for m in outbox) == sorted(p.email for p in people)
    assert all("https://civiclab.example.org/eventi/" in m.body for m in outbox)
    outbox.clear()
    runner.invoke(args=["send-event-reminders"])
    work(app)
    assert outbox == []


def test_a_retried_reminder_run_sends_nobody_twice(app, db_session, rq_queue, outbox, public_address, make_event,
                                                   make_user, monkeypatch):
    from civiclab.notifications import event_reminders

    event = make_event(starts_at=utcnow() + timedelta(hours=20))
    people = [make_user(), make_user(), make_user()]
    for person in people:
        events.book(person, event)
    db_session.commit()
    work(app)
    outbox.clear()
    real_claim, calls = event_reminders.claim, []

    def claim_then_crash(registration_id, now):
        calls.append(registration_id)
        if len(calls) == 2:
            raise ConnectionError("the database went away")
        return real_claim(registration_id, now)

    monkeypatch.setattr(event_reminders, "claim", claim_then_crash)
    app.test_cli_runner().invoke(args=["send-event-reminders"])
    work(app)  # crashes on the second, then its retry carries on

    recipients = sorted(m.recipients[0] for m in outbox)
    assert recipients == sorted(p.email for p in people)
    assert failed_ids(rq_queue) == []


def test_digests_queued_twice_mail_each_news_once(app, db_session, rq_queue, outbox, public_address, make_user):

    from civiclab.notifications import services as notifications

    readers = [make_user(), make_user()]
    for reader in readers:
        notifications.set_preferences(reader, {"followed_news": Delivery.DAILY})
        notifications.deliver(reader, "followed_news", "Nuova proposta pubblicata: «Orti».", "/proposte/1",
                              f"news:{reader.id}", "Oggetto", "codesign_followed_news",
                              proposal=SimpleNamespace(title="Orti"), call=SimpleNamespace(title="Call"))
    db_session.commit()
    assert outbox == []

    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["send-digests", "daily"])
        assert result.exit_code == 0 and "daily digests queued" in result.output, result.output
    work(app)

    assert sorted(m.recipients[0] for m in outbox) == sorted(r.email for r in readers)
    assert all("Orti" in m.body for m in outbox)


# ---- the commands --------------------------------------------------------------------------

def test_the_worker_command_in_burst_mode_does_what_is_queued(app, db_session, rq_queue, outbox):
    send_mail("marta@example.org", "Benvenuta", "confirm", link="https://x", days=3)  # no request: at once
    assert rq_queue.count == 1
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst", "--simple"])
    assert result.exit_code == 0, result.output
    assert [m.recipients for m in outbox] == [["marta@example.org"]] and rq_queue.count == 0


def test_the_commands_list_and_requeue_failed_jobs(app, db_session, rq_queue, audit_log):
    job_id = _fail_one(app, rq_queue)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "failed"])
    assert listed.exit_code == 0
    assert job_id in listed.output and "ConnectionRefusedError: 554" in listed.output
    assert "1 failed job(s)" in listed.output and SECRET not in listed.output

    assert runner.invoke(args=["jobs", "requeue", "nope"]).exit_code == 1
    requeued = runner.invoke(args=["jobs", "requeue", job_id])
    assert requeued.exit_code == 0 and "queued again" in requeued.output
    assert rq_queue.get_job_ids() == [job_id] and failed_ids(rq_queue) == []
    assert [(actor, e["details"]["job_id"]) for actor, e in audit_log] == [(None, job_id)]


def test_a_queue_that_does_not_answer_is_a_connection_error_for_who_sends_from_a_command(app, db_session, rq_queue,
                                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    app.extensions.pop("civiclab_jobs", None)
    with pytest.raises(OSError):  # as a mail server that does not answer: callers log it
        send_mail("marta@example.org", "Benvenuta", "confirm", link="https://x", days=3)
    app.extensions.pop("civiclab_jobs", None)


def test_a_queue_that_does_not_answer_at_the_commit_is_logged_and_the_request_answers(
        app, client, db_session, rq_queue, make_event, make_user, monkeypatch, caplog):
    import logging

    monkeypatch.setattr(app.logger, "disabled", False)
    event = make_event()
    login(client, make_user())
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    app.extensions.pop("civiclab_jobs", None)
    with caplog.at_level(logging.ERROR):
        response = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    assert response.status_code == 302  # the booking stands
    assert "jobs not queued: civiclab.notifications.events.mail_registration" in caplog.text
    app.extensions.pop("civiclab_jobs", None)
