"""The audit log: every staff, facilitator and administrator action, stored as it is made
(the `audited` signal core/audit.py sends) and read by administrators and each city's staff."""
from flask import Blueprint

bp = Blueprint("audit", __name__)


def connect(app):
    """Wire the domain into `app`: its pages, and the listener that stores each audited action."""
    from civiclab.audit import routes  # noqa: F401  (routes fill bp)
    from civiclab.audit.store import store_entry
    from civiclab.core.signals import audited, connect_listeners

    connect_listeners([(audited, store_entry)])
    app.register_blueprint(bp)
