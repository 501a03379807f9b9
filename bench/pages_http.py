"""Pages over HTTP under the production recipe: requests per second and latency of public and
signed-in pages, as ratios to a bare Flask route served the same way, in one run.

Each server is `gunicorn -k gevent -w 1` on a loopback port (CIVICLAB_ENV=production, the demo
data); wrk drives it (`apt-get install wrk`). `--tree` serves another checkout of CivicLab (e.g. a
`git worktree` of an older commit) with this script, so two versions compare on one harness.

    .venv/bin/python bench/pages_http.py --postgres                 # this checkout
    git worktree add /tmp/before cd82d59 && ln -s "$PWD/static/vendor" /tmp/before/static/vendor
    .venv/bin/python bench/pages_http.py --postgres --tree /tmp/before

Run by hand; it prints figures, it asserts nothing.
"""
import argparse
import contextlib
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.integration.services import free_port, wait_for_port  # noqa: E402

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEMO_PASSWORD = "civiclab-demo"  # civiclab/demo.py


def hello_app():
    """The bare route every figure is a ratio to."""
    from flask import Flask

    app = Flask(__name__)
    app.add_url_rule("/", "hello", lambda: "hello")
    return app


@contextlib.contextmanager
def database(postgres):
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


@contextlib.contextmanager
def gunicorn(tree, target, env, port):
    command = [str(ROOT / ".venv/bin/gunicorn"), "-k", "gevent", "-w", "1", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", target]
    process = subprocess.Popen(command, cwd=tree, env=env)
    try:
        wait_for_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def sign_in(url, email):
    """The Cookie header of a signed-in session (parsed by hand: production cookies are Secure)."""
    jar = {}

    def request(path, data=None):
        body = urllib.parse.urlencode(data).encode() if data else None
        req = urllib.request.Request(url + path, data=body, headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "Referer": url + path})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(req)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            jar[name] = rest.split(";", 1)[0]
        return response.read().decode()

    page = request("/account/accedi")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    request("/account/accedi", {"csrf_token": token, "email": email, "password": DEMO_PASSWORD})
    return "; ".join(f"{k}={v}" for k, v in jar.items())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(url, seconds, connections, cookie=None):
    """(requests per second, mean latency ms, p99 ms, non-2xx/3xx count)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(text):
        value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    mean = ms(re.search(r"Latency\s+(\S+)", out).group(1))
    p99 = ms(re.search(r"99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, mean, p99, int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on PG_ADMIN_URL (else SQLite)")
    parser.add_argument("--tree", default=str(ROOT), help="the CivicLab checkout to serve")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    port = free_port()
    with database(args.postgres) as url:
        env = {**os.environ, "CIVICLAB_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
               "DATABASE_URL": url, "CIVICLAB_BASE_URL": f"https://127.0.0.1:{port}",
               "TRUSTED_HOSTS": "127.0.0.1", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9",
               "PYTHONPATH": str(tree)}
        for step in (["db", "upgrade"], ["seed-demo", "--force"]):  # a throwaway copy
            done = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *step], cwd=tree, env=env,
                                  capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"flask {' '.join(step)} failed:\n{done.stderr[-3000:]}")
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            proposal = conn.execute(sa.text("SELECT id FROM proposals WHERE state = 'accepted' ORDER BY id")).scalar()
            event = conn.execute(sa.text("SELECT id FROM events WHERE state = 'published' ORDER BY id")).scalar()
        engine.dispose()
        pages = ["/", "/eventi", f"/eventi/{event}", f"/proposte/{proposal}", "/citta/bologna"]
        with gunicorn(ROOT, "bench.pages_http:hello_app()", env, free_port()) as hello:
            bare = wrk(hello + "/", args.seconds, args.connections)
        print(f"tree {tree} · {'PostgreSQL' if args.postgres else 'SQLite'} · gunicorn -k gevent -w 1 · "
              f"wrk -t2 -c{args.connections} -d{args.seconds}s")
        print(f"{'page':32} {'req/s':>8} {'ratio':>6} {'mean ms':>8} {'p99 ms':>8} {'errors':>6}")
        print(f"{'bare route':32} {bare[0]:8.0f} {1:6.2f} {bare[1]:8.1f} {bare[2]:8.1f} {bare[3]:6}")
        with gunicorn(tree, "wsgi:app", env, port) as site:
            cookie = sign_in(site, "cittadino@example.org")
            home = urllib.request.urlopen(urllib.request.Request(site + "/", headers={"Cookie": cookie})).read()
            if b'action="/account/esci"' not in home:
                sys.exit("signing in failed: the signed-in figures would be a visitor's")
            for who, header in (("visitor", None), ("signed in", cookie)):
                for path in pages:
                    rps, mean, p99, errors = wrk(site + path, args.seconds, args.connections, header)
                    print(f"{who + ' ' + path:32} {rps:8.0f} {rps / bare[0]:6.2f} {mean:8.1f} {p99:8.1f} {errors:6}")
                    time.sleep(0.5)


if __name__ == "__main__":
    main()
