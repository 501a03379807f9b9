"""Lab events and registration: capacity, waiting list, group seats, check-in, calendars."""
from flask import Blueprint

bp = Blueprint("events", __name__)
