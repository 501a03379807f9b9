"""Backups: a portable archive of the whole database and the uploaded files, and its restore into an
empty database of either kind (SQLite or PostgreSQL) — the way to move from SQLite to PostgreSQL.

`flask --app wsgi backup create PATH` and `flask --app wsgi backup restore PATH` (cli.py); the
format is described in archive.py, the work is done in services.py. An ops package: no pages, no
routes, no domain imports it.
"""
