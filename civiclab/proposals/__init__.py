"""Calls for ideas and the proposals written under them (pages in routes.py and call_routes.py)."""
from flask import Blueprint

bp = Blueprint("proposals", __name__)
