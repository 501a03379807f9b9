"""What every benchmark here shares: a throwaway database, the production recipe's processes
(`gunicorn -c gunicorn.conf.py`, one gevent worker each, one process per core), wrk driving
them, and signed session cookies. Run benchmarks by hand from the project root; they print
figures and ratios, they assert nothing.
"""
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.integration.services import free_port, wait_for_port

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PROCESSES = int(os.environ.get("BENCH_PROCESSES", str(os.cpu_count() or 2)))  # one per core


def hello_app():
    """The bare route every figure is a ratio to."""
    from flask import Flask

    app = Flask(__name__)
    app.add_url_rule("/", "hello", lambda: "hello")
    return app


@contextlib.contextmanager
def database(postgres):
    """The URL of an empty throwaway database (SQLite file or PostgreSQL), dropped afterwards."""
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    name = f"civiclab_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def production_env(database_url, port=None, tree=ROOT, **extra):
    """The environment of a production process on loopback (mail goes nowhere: port 9)."""
    port = port or free_port()
    return {**os.environ, "CIVICLAB_ENV": "production", "SECRET_KEY": "bench-only-" + "x" * 40,
            "DATABASE_URL": database_url, "CIVICLAB_BASE_URL": f"https://127.0.0.1:{port}",
            "TRUSTED_HOSTS": "127.0.0.1", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9",
            "PYTHONPATH": str(tree), **extra}


def flask_command(tree, env, *args):
    done = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args], check=False, cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextlib.contextmanager
def recipe(target, env, tree=ROOT, processes=PROCESSES):
    """`processes` production processes (gunicorn.conf.py) serving `target`; yields their URLs."""
    ports = [free_port() for _ in range(processes)]
    started = []
    try:
        for port in ports:
            command = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), target]
            started.append(subprocess.Popen(command, cwd=tree, env={**env, "BIND": f"127.0.0.1:{port}"}))
        for port in ports:
            wait_for_port(port, timeout=60)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a worker stuck in a blocking call
                process.kill()
                process.wait()


def _ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(bases, path, seconds=8, connections=32, headers=()):
    """Drive `path` on every base URL at once (connections split between them, as a proxy would).

    Returns (requests per second in all, mean latency ms, p99 ms (worst process), non-2xx/3xx count).
    """
    share = max(1, connections // len(bases))

    def one(base):
        command = ["wrk", "-t1", f"-c{share}", f"-d{seconds}s", "--latency"]
        for header in headers:
            command += ["-H", header]
        out = subprocess.run(command + [base + path], capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        mean = _ms(re.search(r"Latency\s+(\S+)", out).group(1))
        p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return rps, mean, p99, int(errors.group(1)) if errors else 0

    with ThreadPoolExecutor(len(bases)) as pool:
        results = list(pool.map(one, bases))
    rps = sum(r[0] for r in results)
    mean = sum(r[0] * r[1] for r in results) / rps if rps else 0.0
    return rps, mean, max(r[2] for r in results), sum(r[3] for r in results)


def bare_route(seconds=8, connections=32):
    """The bare Flask route under the same recipe: (req/s, mean ms, p99 ms, errors)."""
    with recipe("bench.harness:hello_app()", {**os.environ, "PYTHONPATH": str(ROOT)}) as bases:
        return wrk(bases, "/", seconds, connections)


def session_cookies(app, users):
    """Signed Flask session cookie headers, one per user, as signing in would leave them (a
    session row each; no password hashed). `app`: a CivicLab app with the server's SECRET_KEY,
    inside an app context; commits."""
    from civiclab.accounts.sessions import open_session
    from civiclab.extensions import db

    signer = app.session_interface.get_signing_serializer(app)
    for user in users:
        open_session(user, user_agent="bench")
    db.session.commit()
    return [f"session={signer.dumps({'_user_id': user.get_id(), '_fresh': True})}" for user in users]


def goal(met):
    return "goal met" if met else "goal MISSED"
