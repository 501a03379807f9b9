"""The production recipe: one CivicLab process = `gunicorn -c gunicorn.conf.py wsgi:app`.

One gevent worker per process (Socket.IO keeps each connection's state in the process that
accepted it); use more cores by starting one such process per core on its own port, all with the
same REDIS_URL, behind nginx with sticky sessions (README, "Production"). The benchmarks in bench/
start exactly this, so the figures in bench/README.md are the recipe's.

Settings come from the environment: BIND (default 127.0.0.1:8000), WORKER_CONNECTIONS (2000),
LOG_LEVEL (gunicorn's own messages, warning). deploy/ runs this under systemd behind nginx.
No `preload_app`: gevent must patch the standard library before psycopg is imported (README).
"""
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gevent"
workers = 1
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "2000"))
preload_app = False
loglevel = os.environ.get("LOG_LEVEL", "warning")  # gunicorn's own messages (start, worker timeouts)
# No access log from gunicorn: behind nginx it would see only the proxy's address. The app writes
# one access line per request itself, with the client's address and the request id (core/logs.py).
accesslog = None
