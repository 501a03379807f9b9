"""Outcomes: what the municipality decided, built and how far it got, per project: results with
status, progress and milestones, the proposals they adopt and the events where they were
co-designed."""
from flask import Blueprint

bp = Blueprint("outcomes", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, its signal listeners, what it adds to registries."""
    app.register_blueprint(bp)
