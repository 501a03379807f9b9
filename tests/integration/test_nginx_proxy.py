"""deploy/nginx/civiclab.conf, run by Debian's nginx in front of two app processes started with
the production recipe (gunicorn.conf.py), all on loopback: what a city's machine runs.

The site file itself is the source: its placeholders (the name, the certificate, the checkout,
the ports, the log folder) are substituted, each checked to be there, so a change of the file is
what is tested. The certificate is a throwaway self-signed one for `localhost`, made by openssl
and trusted by the test's client only. The client connects from 127.0.0.2 (all of 127/8 is
loopback on Linux) while nginx connects to the app from 127.0.0.1, so the address the app logs
tells the client's from the proxy's.

Checked through nginx over https: /healthz, /readyz (the database and Redis answer), a page; the
redirect from http; HSTS sent once; static files served by nginx; the app's JSON access line
names the client nginx saw (not an address the client wrote in X-Forwarded-For) and nginx's
request id; a forged X-Forwarded-For does not choose the rate-limit key; a WebSocket upgrade on
/socket.io/ reaches Engine.IO (101 and its open packet); every request of one client reaches one
process (sticky); each process answers its health check from loopback whatever the Host.
About 20-40 s, most of it the migrations and the processes' start.
"""
import base64
import hashlib
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import temporary_postgres_database
from tests.integration.conftest import TEST_REDIS_URL
from tests.integration.services import free_port, unavailable, wait_for_port

pytestmark = [pytest.mark.nginx, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE = ROOT / "deploy" / "nginx" / "civiclab.conf"
CLIENT_ADDRESS = "127.0.0.2"  # the client's; nginx reaches the app from 127.0.0.1
KEY = base64.b64encode(os.urandom(16)).decode()  # the client's WebSocket key
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
REDIS_DB = 11
API_READS = 5  # the API's read limit per address in these processes  # a database of its own, emptied at the end


def nginx_binary():
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not found:
        unavailable("nginx is not installed (apt-get install nginx)")
    return found


def substitute(text, replacements):
    for old, new in replacements:
        assert old in text, f"deploy/nginx/civiclab.conf no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


def render_site(folder, ports, app_ports, certificate, key):
    """The real site file with the machine's values replaced by the test's."""
    http_port, https_port = ports
    return substitute(SITE.read_text(), [
        ("/etc/letsencrypt/live/civiclab.example.org/fullchain.pem", str(certificate)),
        ("/etc/letsencrypt/live/civiclab.example.org/privkey.pem", str(key)),
        ("civiclab.example.org", "localhost"),
        ("/srv/civiclab/static/", f"{ROOT / 'static'}/"),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{app_ports[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{app_ports[1]} "),
        ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;"),
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl default_server;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/var/log/nginx/", f"{folder}/"),
        ("root /var/www/letsencrypt;", f"root {folder};"),
    ])


def main_config(folder):
    """nginx.conf around the site: what /etc/nginx/nginx.conf gives it, in the test's folder."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
{temp}
    include {folder}/civiclab.conf;
}}
"""


def self_signed_certificate(folder):
    certificate, key = folder / "localhost.pem", folder / "localhost.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=60)
    return certificate, key


@contextmanager
def own_database(folder):
    if os.environ.get("CIVICLAB_TEST_DB") == "postgres":
        with temporary_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{folder}/civiclab.sqlite3"


@contextmanager
def processes():
    """Start processes with `start(command, log, stop=signal, **options)`; at the end all are told
    to stop at once, then waited for (gunicorn's quick shutdown still takes a few seconds)."""
    started = []

    def start(command, log, stop=signal.SIGTERM, **options):
        with log.open("w") as output:
            started.append((subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, **options), stop))

    try:
        yield start
    finally:
        for process, stop in started:
            process.send_signal(stop)
        for process, _stop in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def app_environment(database_url, redis_url, https_port):
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("REDIS_URL", "TRUSTED_HOSTS", "LOG_FORMAT", "CIVICLAB_ENV")}
    return {**environment, "CIVICLAB_ENV": "production", "SECRET_KEY": "nginx-test-only-" + "x" * 40,
            "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "CIVICLAB_BASE_URL": f"https://localhost:{https_port}", "TRUSTED_PROXY_COUNT": "1",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9", "PYTHONPATH": str(ROOT),
            "RATELIMIT_API_READ": f"{API_READS} per minute"}


@pytest.fixture(scope="module")
def redis_database():
    import redis

    parts = urlsplit(TEST_REDIS_URL)
    url = parts._replace(path=f"/{REDIS_DB}").geturl()
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        unavailable(f"Redis does not answer on {url}: {error}")
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_database):
    """nginx over two app processes: (https port, http port, certificate, the processes' logs, nginx's folder)."""
    nginx = nginx_binary()
    folder = tmp_path_factory.mktemp("nginx")
    os.chmod(folder, 0o755)
    certificate, key = self_signed_certificate(folder)
    http_port, https_port = free_port(), free_port()
    app_ports = [free_port(), free_port()]
    (folder / "civiclab.conf").write_text(render_site(folder, (http_port, https_port), app_ports, certificate, key))
    (folder / "nginx.conf").write_text(main_config(folder))
    command = [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode == 0, f"nginx -t refuses the site:\n{checked.stderr}"

    with ExitStack() as stack:
        database_url = stack.enter_context(own_database(folder))
        environment = app_environment(database_url, redis_database, https_port)
        migrated = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=environment,
                                  capture_output=True, text=True, timeout=300, check=False)
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        start = stack.enter_context(processes())
        logs = []
        for port in app_ports:
            logs.append(folder / f"app-{port}.log")
            start([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"], logs[-1],
                  stop=signal.SIGINT,  # gunicorn's quick shutdown
                  cwd=ROOT, env={**environment, "BIND": f"127.0.0.1:{port}"})
        start(command, folder / "nginx.out")
        for port in (*app_ports, https_port):
            try:
                wait_for_port(port, timeout=60)
            except AssertionError:
                raise AssertionError("\n".join(log.read_text()[-2000:] for log in
                                               [*logs, folder / "error.log"] if log.exists())) from None
        answer = {"https": https_port, "http": http_port, "certificate": certificate, "logs": logs, "folder": folder,
                  "app_ports": app_ports}
        for port in app_ports:  # each process's worker has loaded the app
            wait_until_healthy(port)
        yield answer


def wait_until_healthy(port, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            connection.close()


def request(site, path, headers=None, https=True, client=CLIENT_ADDRESS):
    """One request from `client` (the certificate checked); returns (status, headers, body)."""
    if https:
        context = ssl.create_default_context(cafile=str(site["certificate"]))
        connection = http.client.HTTPSConnection("localhost", site["https"], context=context, timeout=15,
                                                 source_address=(client, 0))
    else:
        connection = http.client.HTTPConnection("localhost", site["http"], timeout=15,
                                                source_address=(client, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def access_lines(site, request_id, timeout=10):
    """{log: [its JSON access lines for request_id]} once one process has written it."""
    deadline = time.monotonic() + timeout
    while True:
        found = {}
        for log in site["logs"]:
            lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
            found[log] = [line for line in lines if line.get("request_id") == request_id
                          and line.get("logger") == "civiclab.access"]
        if any(found.values()) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_health_checks_answer_through_nginx(site):
    status, headers, body = request(site, "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
    assert headers["Cache-Control"] == "no-store"
    status, _headers, body = request(site, "/readyz")
    assert status == 200, body
    assert json.loads(body) == {"status": "ok", "checks": {"database": "ok", "redis": "ok",
                                                           "queue": "rq: 0 queued, 0 failed"}}


def test_each_process_answers_its_health_check_from_the_machine_itself(site):
    """A check from loopback names the process's address, not the site's: TRUSTED_HOSTS lets it through."""
    for port in site["app_ports"]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        try:
            for path, status in (("/readyz", 200), ("/privacy", 400)):  # a page: only for the site's name
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                assert response.status == status, path
        finally:
            connection.close()


def test_plain_http_is_sent_to_https(site):
    status, headers, _body = request(site, "/privacy", https=False)
    assert status == 301
    assert headers["Location"] == "https://localhost/privacy"


def test_the_app_logs_the_client_nginx_saw_and_nginx_request_id(site):
    # The client writes a forged address in front; nginx appends the one it saw.
    status, headers, body = request(site, "/privacy", {"X-Forwarded-For": "203.0.113.66",
                                                      "X-Request-ID": "forged-by-the-client-0001"})
    assert status == 200 and b"<html" in body
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, not the client's
    lines = [line for found in access_lines(site, request_id).values() for line in found]
    assert len(lines) == 1
    assert (lines[0]["client"], lines[0]["path"], lines[0]["status"]) == (CLIENT_ADDRESS, "/privacy", 200)
    assert f"request_id={request_id}" in nginx_log_once_it_has(site, f"request_id={request_id}")


def nginx_log_once_it_has(site, text, timeout=10):
    """nginx's access log, once `text` is in it (nginx writes the line after the answer left)."""
    deadline = time.monotonic() + timeout
    while True:
        log = (site["folder"] / "civiclab.access.log").read_text()
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


def test_a_forged_forwarded_address_does_not_choose_the_rate_limit_key(site):
    """Each request claims another address in X-Forwarded-For: the limit still counts the one
    nginx saw, and another client (127.0.0.3) keeps its own count."""
    statuses = [request(site, "/api/v1/cities", {"X-Forwarded-For": f"198.51.100.{n}"})[0]
                for n in range(API_READS + 1)]
    assert statuses == [200] * API_READS + [429]
    assert request(site, "/api/v1/cities", client="127.0.0.3")[0] == 200


def test_health_checks_stay_out_of_nginx_access_log(site):
    request(site, "/healthz")
    _status, headers, _body = request(site, "/accessibilita")
    log = nginx_log_once_it_has(site, f"request_id={headers['X-Request-ID']}")
    assert f"request_id={headers['X-Request-ID']}" in log
    assert "GET /healthz" not in log


def test_static_files_come_from_nginx_with_caching(site):
    status, headers, body = request(site, "/static/css/civiclab.css")
    assert status == 200 and body == (ROOT / "static" / "css" / "civiclab.css").read_bytes()
    assert headers["Cache-Control"] == "max-age=604800"
    assert "X-Request-ID" not in headers  # the app never saw it


def test_one_client_always_reaches_the_same_process(site):
    ids = [request(site, "/privacy")[1]["X-Request-ID"] for _ in range(6)]
    serving = set()
    for request_id in ids:
        found = access_lines(site, request_id)
        serving |= {log for log, lines in found.items() if lines}
    assert len(serving) == 1


def test_a_websocket_upgrade_on_socket_io_goes_through(site):
    context = ssl.create_default_context(cafile=str(site["certificate"]))
    raw = socket.create_connection(("localhost", site["https"]), timeout=15, source_address=(CLIENT_ADDRESS, 0))
    with context.wrap_socket(raw, server_hostname="localhost") as connection:
        connection.sendall(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                            f"Host: localhost:{site['https']}\r\n"
                            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            f"Sec-WebSocket-Key: {KEY}\r\n"
                            "Sec-WebSocket-Version: 13\r\n\r\n")
                           .encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            assert chunk, f"connection closed: {answer!r}"
            answer += chunk
        head, _, rest = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        accept = base64.b64encode(hashlib.sha1(KEY.encode() + WEBSOCKET_GUID).digest())
        assert b"sec-websocket-accept: " + accept.lower() in head.lower()  # from the app (RFC 6455)
        payload = first_frame(connection, rest)
        assert payload.startswith(b"0{") and b'"sid"' in payload  # Engine.IO's open packet
    # Its access line, once the connection closed: status 101, the client's address.
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for log in site["logs"] for line in log.read_text().splitlines()
                 if line.startswith("{") and '"/socket.io/"' in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert [(line["status"], line["client"]) for line in lines] == [(101, CLIENT_ADDRESS)]


def first_frame(connection, received):
    """The payload of the server's first frame (a text frame, unmasked, RFC 6455)."""
    def need(count):
        nonlocal received
        while len(received) < count:
            chunk = connection.recv(4096)
            assert chunk, "connection closed inside a frame"
            received += chunk

    need(2)
    assert received[0] == 0x81, received[:2]  # FIN, text
    length, start = received[1] & 0x7F, 2
    if length == 126:
        need(4)
        length, start = int.from_bytes(received[2:4], "big"), 4
    need(start + length)
    return received[start:start + length]
