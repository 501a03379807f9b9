"""The API fuzzed against its own OpenAPI document by schemathesis, on the live app.

The production recipe (gunicorn.conf.py: gunicorn, one gevent worker) serves the demo data
(seed-demo) on a loopback port, on a database of its own: PostgreSQL in the PostgreSQL pass
(CIVICLAB_TEST_DB=postgres), SQLite otherwise. A demo citizen gets a read+write token from the
`api-token create` command. Schemathesis then reads `/api/v1/openapi.json` and runs every phase
(examples, coverage, fuzzing, stateful): read operations anonymously, write operations with the
token (the document's `token` security scheme).

The checks are the ones about the server, not about the fuzzer's guesses:
- not_a_server_error: no 5xx;
- status_code_conformance, content_type_conformance, response_schema_conformance,
  response_headers_conformance: every answer is one the document describes;
- negative_data_rejection: what breaks the document's schema is refused (4xx), so the document
  says what the endpoints really validate; 414 counts as a refusal (gunicorn refuses a request
  line over 4 KiB before the app sees it, and the document says so);
- unsupported_method (405 with Allow), missing_required_header, ignored_auth (a write without
  the token, or with a forged one, is refused).
Left out: positive_data_acceptance (a request the schema allows may still be refused by a rule of
the domain: a full event, a closed call; and on purpose: a NUL in a text is 400, and bodies take
JSON's types strictly, so 6.0 is not an integer seat count), use_after_free and ensure_resource_availability (a
cancelled booking stays readable as cancelled; a new proposal is not public until moderated), and
object_level_authorization (public data is meant to be read by everyone).

Bounded and reproducible: MAX_EXAMPLES cases per operation and phase, deterministic generation
(no seed to pass, no example database kept). Measured on the development machine with the two
read operations of main: schemathesis 9-14 s, the whole test 30 s on SQLite and 50 s on PostgreSQL
(migrations, demo data, start-up); a write operation with a JSON body added about 5 s, so some 30
operations stay within a few minutes. The command lines and times are printed (pytest -s).
"""
import json
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import temporary_postgres_database
from tests.integration.services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin: flask, gunicorn, st
MAX_EXAMPLES = 25
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance", "negative_data_rejection",
          "unsupported_method", "missing_required_header", "ignored_auth")
REFUSALS = (400, 401, 403, 404, 405, 406, 409, 413, 414, 415, 422, 428, 429)
# Limits a fuzzer meets at once (hundreds of requests a minute from one address or token).
UNLIMITED = {"RATELIMIT_API_READ": "1000000 per minute", "RATELIMIT_WRITE": "1000000 per minute",
             "RATELIMIT_COMMENT": "1000000 per minute"}
TOKEN_SCHEME = "token"  # components.securitySchemes in civiclab/api/openapi.py


@contextmanager
def own_database(folder):
    if os.environ.get("CIVICLAB_TEST_DB") == "postgres":
        with temporary_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{folder}/api.sqlite3"


def server_environment(database_url, port):
    """A production process on loopback (mail goes nowhere: port 9), its limits out of the way."""
    environment = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    return {**environment, "CIVICLAB_ENV": "production", "SECRET_KEY": "schemathesis-only-" + "x" * 40,
            "DATABASE_URL": database_url, "CIVICLAB_BASE_URL": f"https://127.0.0.1:{port}",
            "TRUSTED_HOSTS": "127.0.0.1", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9",
            "BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(ROOT), **UNLIMITED}


def flask(environment, *arguments):
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"flask {' '.join(arguments)} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    """(base URL, a read+write token, the server's log) of the demo served by the production recipe."""
    folder = tmp_path_factory.mktemp("schemathesis")
    with own_database(folder) as database_url:
        port = free_port()
        environment = server_environment(database_url, port)
        flask(environment, "db", "upgrade")
        flask(environment, "seed-demo", "--force")  # production config: a throwaway database
        token = flask(environment, "api-token", "create", "cittadino@example.org", "--name", "schemathesis",
                      "--scopes", "read write").strip()
        log = folder / "server.log"
        with log.open("w") as output:
            server = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                                      cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, timeout=60)
            yield f"http://127.0.0.1:{port}", token, log
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def write_config(folder, token=None):
    """schemathesis.toml: what counts as a refusal, and the token for the `token` scheme."""
    lines = ["[checks.negative_data_rejection]",
             f"expected-statuses = {json.dumps([str(status) for status in REFUSALS])}"]
    if token:
        lines += [f"[auth.openapi.{TOKEN_SCHEME}]", f'bearer = "{token}"']
    path = folder / ("write.toml" if token else "read.toml")
    path.write_text("\n".join(lines) + "\n")
    return path


def schemathesis(folder, base, config, *selection):
    command = [str(BIN / "st"), "--config-file", str(config), "--no-color", "run", f"{base}/api/v1/openapi.json",
               "--checks", ",".join(CHECKS), "--max-examples", str(MAX_EXAMPLES),
               "--generation-deterministic", "--workers", "1",
               "--request-timeout", "30", *selection]
    started = time.monotonic()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=1200, check=False)
    return done, time.monotonic() - started, " ".join(command)


def methods_in(base):
    with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=30) as answer:
        document = json.load(answer)
    return {method.upper() for item in document["paths"].values() for method in item}


def test_the_api_answers_as_its_openapi_document_says(live_api, tmp_path):
    base, token, log = live_api
    runs = [("read operations, anonymously", write_config(tmp_path), ("--include-method", "GET"))]
    if methods_in(base) - {"GET"}:
        runs.append(("write operations, with a read+write token", write_config(tmp_path, token),
                     ("--exclude-method", "GET")))
    failures = []
    for name, config, selection in runs:
        done, seconds, command = schemathesis(tmp_path, base, config, *selection)
        print(f"schemathesis, {name}: {seconds:.0f} s, exit {done.returncode}\n  {command}")
        if done.returncode != 0:
            failures.append(f"===== {name} ({seconds:.0f} s): {command}\n{done.stdout[-20000:]}\n{done.stderr[-3000:]}")
    if failures:
        server_log = log.read_text()[-6000:]
        pytest.fail("\n".join(failures) + f"\n===== the server's log (end):\n{server_log}", pytrace=False)
