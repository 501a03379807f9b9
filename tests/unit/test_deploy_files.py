"""deploy/ matches the app: the environment file lists every variable the app reads, the nginx
site passes what the app trusts and allows what it accepts, the units run the commands that exist."""
import re
from pathlib import Path

import pytest

from config import Config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
READ = re.compile(r"""os\.environ(?:\.get)?\s*[(\[]\s*["']([A-Z][A-Z0-9_]*)["']"""
                  r"""|os\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']|envvar\s*=\s*["']([A-Z][A-Z0-9_]*)["']""")
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def variables_read():
    """NAME -> the files that read it (config.py, gunicorn.conf.py, wsgi.py and civiclab/)."""
    files = [ROOT / "config.py", ROOT / "gunicorn.conf.py", ROOT / "wsgi.py", *sorted((ROOT / "civiclab").rglob("*.py"))]
    found = {}
    for path in files:
        for match in READ.finditer(path.read_text()):
            name = next(group for group in match.groups() if group)
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def site():
    return (DEPLOY / "nginx" / "civiclab.conf").read_text()


def unit(name):
    return (DEPLOY / "systemd" / name).read_text()


def test_the_scan_finds_the_variables_it_must():
    found = variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "BIND", "WORKER_CONNECTIONS", "CIVICLAB_BASE_URL"} <= set(found)


def test_the_environment_file_lists_every_variable_the_app_reads():
    listed = set(LISTED.findall((DEPLOY / "civiclab.env").read_text()))
    missing = {name: sorted(files) for name, files in variables_read().items() if name not in listed}
    assert not missing, f"add these to deploy/civiclab.env, with their default and a comment: {missing}"


def test_the_environment_file_does_not_set_bind():
    # Each civiclab@<port> unit sets BIND; a value in the env file would win over it.
    assert not re.search(r"^BIND=", (DEPLOY / "civiclab.env").read_text(), re.MULTILINE)


def test_the_site_passes_the_headers_the_app_trusts():
    text = site()
    for header in ("proxy_set_header Host $host;",
                   "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                   "proxy_set_header X-Forwarded-Proto $scheme;",
                   "proxy_set_header X-Request-ID $request_id;",
                   "proxy_set_header Upgrade $http_upgrade;"):
        assert header in text


def test_the_site_is_sticky_and_upgrades_socket_io():
    text = site()
    upstream = re.search(r"upstream civiclab \{(.*?)\}", text, re.DOTALL).group(1)
    assert re.search(r"^\s*(ip_hash;|hash \$\S+ consistent;)", upstream, re.MULTILINE)
    socket_io = re.search(r"location /socket\.io/ \{(.*?)\}", text, re.DOTALL).group(1)
    timeout = int(re.search(r"proxy_read_timeout (\d+)s;", socket_io).group(1))
    assert timeout > 25  # Socket.IO's ping interval


def size_in_bytes(value):
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_the_site_accepts_what_the_app_accepts_and_not_much_more():
    limit = size_in_bytes(re.search(r"client_max_body_size (\S+);", site()).group(1))
    assert Config.MAX_CONTENT_LENGTH <= limit <= Config.MAX_CONTENT_LENGTH + 2 * 1024**2


def test_the_site_redirects_to_https_sends_hsts_and_keeps_health_checks_out_of_its_log():
    text = site()
    assert "return 301 https://$host$request_uri;" in text
    assert 'add_header Strict-Transport-Security "max-age=' in text
    for path in ("/healthz", "/readyz"):
        block = re.search(rf"location = {path} \{{(.*?)\}}", text, re.DOTALL).group(1)
        assert "access_log off;" in block
    assert re.search(r"location /static/ \{[^}]*alias /srv/civiclab/static/;[^}]*expires", text)


def test_an_app_process_runs_the_production_recipe_on_its_port():
    text = unit("civiclab@.service")
    assert "Environment=BIND=127.0.0.1:%i" in text
    assert "EnvironmentFile=/etc/civiclab/civiclab.env" in text
    assert re.search(r"^ExecStart=\S*/gunicorn -c gunicorn\.conf\.py wsgi:app$", text, re.MULTILINE)
    for option in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/srv/civiclab/instance",
                   "PrivateTmp=yes", "User=civiclab"):
        assert option in text


@pytest.mark.parametrize(("name", "command"), [
    ("civiclab-worker.service", "flask --app wsgi jobs worker"),
    ("civiclab-reminders.service", "flask --app wsgi send-event-reminders"),
    ("civiclab-digests.service", "flask --app wsgi send-digests daily"),
    ("civiclab-digests-weekly.service", "flask --app wsgi send-digests weekly"),
])
def test_the_worker_and_the_timers_run_their_commands(name, command):
    assert re.search(rf"^ExecStart=\S*/{re.escape(command)}$", unit(name), re.MULTILINE)


@pytest.mark.parametrize("command", ["send-event-reminders", "send-digests"])
def test_the_commands_the_timers_run_exist(app, command):
    assert command in app.cli.commands


def test_the_processes_and_the_timers_belong_to_the_target():
    # The one-shot services the timers start are not enabled themselves.
    wanted = ["civiclab@.service", "civiclab-worker.service",
              *(path.name for path in (DEPLOY / "systemd").glob("*.timer"))]
    assert len(wanted) == 5
    for name in wanted:
        assert "WantedBy=civiclab.target" in unit(name), name
        assert "PartOf=civiclab.target" in unit(name), name
    for path in (DEPLOY / "systemd").glob("*.timer"):
        assert (path.with_suffix(".service")).exists(), path.name
