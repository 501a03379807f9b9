"""The embedded default (JOB_QUEUE=inline): no queue, jobs run in the app process as before; the
choice of the queue from the environment; the failed-jobs page and commands say there is no queue."""
import pytest

from civiclab.core import jobs
from config import ConfigError, ProductionConfig, _job_queue
from tests.conftest import login, text_of

done = []


def remember(value, *, twice=False):
    """A job (module-level, plain values)."""
    done.extend([value] * (2 if twice else 1))


def test_inline_jobs_run_here_at_once_outside_a_request(app, db_session):
    done.clear()
    jobs.enqueue(remember, "ciao", twice=True)
    assert done == ["ciao", "ciao"]


def test_a_job_must_be_a_module_level_function():
    def inner():
        pass

    with pytest.raises(ValueError):
        jobs.function_path(inner)
    with pytest.raises(ValueError):
        jobs.function_path(lambda: None)
    assert jobs.function_path(remember) == f"{__name__}.remember"


def test_the_queue_is_rq_in_production_with_redis_and_inline_otherwise():
    assert _job_queue(None, "redis://127.0.0.1:6379/0", production=True) == "rq"
    assert _job_queue(None, None, production=True) == "inline"
    assert _job_queue("", "redis://127.0.0.1:6379/0") == "inline"  # development: only when asked
    assert _job_queue("inline", "redis://127.0.0.1:6379/0", production=True) == "inline"
    assert _job_queue("RQ", "redis://x") == "rq"
    with pytest.raises(ConfigError, match="needs REDIS_URL"):
        _job_queue("rq", None)
    with pytest.raises(ConfigError, match="inline or rq"):
        _job_queue("celery", "redis://x")


def test_production_refuses_a_queue_without_redis(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@127.0.0.1/x")
    monkeypatch.setenv("CIVICLAB_BASE_URL", "https://civiclab.example.org")
    monkeypatch.setenv("JOB_QUEUE", "rq")
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = type("Config", (ProductionConfig,), {})
    with pytest.raises(ConfigError, match="needs REDIS_URL"):
        config.check()


def test_queue_status_in_inline_mode_needs_no_redis(app):
    assert jobs.queue_status(app) == "inline"


def test_the_page_says_mail_leaves_from_the_app_process(client, db_session, make_user):
    login(client, make_user(is_admin=True))
    page = client.get("/gestione/code")
    assert page.status_code == 200
    assert "inviati dal processo dell’applicazione stesso" in text_of(page)
    assert "log dell’applicazione" in text_of(page)


def test_the_management_dashboard_links_the_queue_for_administrators_only(client, db_session, make_user,
                                                                            make_staff, make_city):
    login(client, make_user(is_admin=True))
    assert "/gestione/code" in client.get("/gestione").text
    login(client, make_staff(make_city()))
    assert "/gestione/code" not in client.get("/gestione").text


def test_the_commands_say_there_is_no_queue(app):
    runner = app.test_cli_runner()
    for args in (["jobs", "failed"], ["jobs", "worker", "--burst"], ["jobs", "requeue", "abc"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and "JOB_QUEUE is inline" in result.output


def test_the_failed_jobs_page_never_shows_a_refused_recipients_address(app):
    """A mail server's refusal names the recipient in the error's last line: the page masks it."""
    from rq.results import Result

    from civiclab.jobs.queries import describe

    class FailedResult:
        type = Result.Type.FAILED
        exc_string = ("Traceback (most recent call last):\n  File \"x\", line 1, in deliver\n"
                      "smtplib.SMTPRecipientsRefused: {'mario.rossi@example.org': "
                      "(550, b'5.1.1 <mario.rossi@example.org>: Recipient address rejected')}\n")

    class FailedJob:
        id = "0f0f0f0f-0000-4000-8000-000000000000"
        description = "civiclab.core.mail.deliver"
        func_name = "civiclab.jobs.run"
        enqueued_at = ended_at = None
        meta = {"attempts_allowed": 4}
        retries_left = 0

        def latest_result(self):
            return FailedResult()

    error = describe(FailedJob()).error
    assert "mario.rossi" not in error and "example.org" not in error
    assert error.startswith("smtplib.SMTPRecipientsRefused:") and "550" in error
