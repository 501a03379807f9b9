"""Pages of the whole network that show no domain: accessibility statement, privacy, language switch.
The home page is in civiclab/pages (it shows several domains).

The language switch has two doors: signed-in people post a form (their account remembers the
choice, so it is a write and carries the CSRF token), visitors follow a link (`/lingua/<code>`):
a visitor's page then holds no per-session token and can be shared from the page cache, and a
language chosen by a link someone else made is no harm worth a token (it only sets the session's
language, and the link leads back only to a page of this site)."""
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from civiclab.core.page_cache import public_page
from civiclab.core.urls import safe_next
from civiclab.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/accessibilita")
@public_page
def accessibility():
    return render_template("core/accessibility.html")


@bp.get("/privacy")
@public_page
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


@bp.get("/lingua/<any(it, en):lang>")
def choose_language(lang):
    session["lang"] = lang
    return redirect(safe_next(request.args.get("next")) or url_for("pages.home"))
