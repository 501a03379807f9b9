"""Following and unfollowing a project, a call or a proposal; the "Cosa seguo" page."""
from flask import (
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField

from civiclab.follows import bp
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.urls import safe_next
from civiclab.extensions import db, limiter
from civiclab.follows import (
    personal_data,  # noqa: F401  (the export sections and deletion rules)
    services,
)


KINDS = "any(progetto, call, proposta)"


class FollowForm(FlaskForm):
    next = HiddenField()  # the page the button was on, to go back to


def _subject(kind, subject_id):
    """The followable object, or 404: what the user may not see does not exist for them."""
    model, _column, _can_view = services.SUBJECTS[kind]
    subject = db.session.get(model, subject_id)
    if subject is None or not services.can_follow(current_user, subject):
        abort(404)
    return subject


def _back(form, kind, subject):
    return redirect(safe_next(form.next.data) or subject_url(kind, subject))


def subject_url(kind, subject):
    """The path of a followed project, call or proposal's page (also outside a request, for
    listeners a command or a test triggers)."""
    if kind == "progetto":
        endpoint, values = "programmes.project", {"code": subject.code}
    elif kind == "call":
        endpoint, values = "proposals.call", {"call_id": subject.id}
    else:
        endpoint, values = "proposals.proposal", {"proposal_id": subject.id}
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


@bp.post(f"/segui/<{KINDS}:kind>/<id:subject_id>")
@login_required
@limiter.limit(write_limit)
def follow(kind, subject_id):
    subject = _subject(kind, subject_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    if services.follow(current_user, subject):
        flash(_("Ora segui «%(title)s»: riceverai le sue novità.", title=subject.title), "success")
    return _back(form, kind, subject)


@bp.post(f"/non-seguire/<{KINDS}:kind>/<id:subject_id>")
@login_required
@limiter.limit(write_limit)
def unfollow(kind, subject_id):
    subject = _subject(kind, subject_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    if services.unfollow(current_user, subject):
        flash(_("Non segui più «%(title)s».", title=subject.title), "success")
    return _back(form, kind, subject)


@bp.get("/account/cosa-seguo")
@login_required
def index():
    page = db.paginate(services.follows_select(current_user), page=page_number(),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("follows/index.html", page=page, subject_url=subject_url)
