"""The home page: the network's figures, the next events and the open calls."""
from flask import render_template

from civiclab.events.queries import upcoming_events
from civiclab.pages import bp
from civiclab.places.services import network_overview
from civiclab.proposals.queries import open_calls


@bp.get("/")
def home():
    return render_template("pages/home.html", overview=network_overview(), next_events=upcoming_events(4),
                           open_calls=open_calls(4))
