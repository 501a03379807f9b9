"""Following and unfollowing a project, a call, a proposal or an outcome; the "Cosa seguo" page."""
from flask import abort, current_app, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.kit import limit_writes
from civiclab.core.pagination import page_number
from civiclab.core.urls import safe_next
from civiclab.extensions import db
from civiclab.follows import bp, services
from civiclab.follows.forms import FollowForm
from civiclab.follows.queries import load_subject

# Any word: load_subject answers 404 for a kind nobody follows (higher domains add theirs from
# their connect(), after these routes are made: follows/kinds.py).
KINDS = "string"


def _back(form, kind, subject):
    return redirect(safe_next(form.next.data) or services.subject_url(kind, subject))


@bp.post(f"/segui/<{KINDS}:kind>/<id:subject_id>")
@login_required
@limit_writes()
def follow(kind, subject_id):
    subject = load_subject(kind, subject_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    if services.follow(current_user, subject):
        flash(_("Ora segui «%(title)s»: riceverai le sue novità.", title=subject.title), "success")
    return _back(form, kind, subject)


@bp.post(f"/non-seguire/<{KINDS}:kind>/<id:subject_id>")
@login_required
@limit_writes()
def unfollow(kind, subject_id):
    subject = load_subject(kind, subject_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    if services.unfollow(current_user, subject):
        flash(_("Non segui più «%(title)s».", title=subject.title), "success")
    return _back(form, kind, subject)


@bp.get("/account/cosa-seguo")
@login_required
def index():
    page_obj = db.paginate(services.follows_select(current_user), page=page_number(),
                           per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("follows/index.html", page=page_obj, subject_url=services.subject_url,
                           kind_of=services.kind_of, label_of=services.label_of)
