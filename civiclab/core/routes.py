"""Pages of the whole network that show no domain: accessibility statement, privacy, language switch.
The home page is in civiclab/pages (it shows several domains)."""
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from civiclab.core.urls import safe_next
from civiclab.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/accessibilita")
def accessibility():
    return render_template("core/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("core/privacy.html")


@bp.post("/lingua")
def set_language():
    lang = request.form.get("lang")
    if lang in ("it", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.flush()
    return redirect(safe_next(request.form.get("next")) or url_for("pages.home"))
