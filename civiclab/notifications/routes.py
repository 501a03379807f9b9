"""The notifications page, marking notifications read, and the unread count for the header bell."""
import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.notifications import bp
from civiclab.core.errors import DomainError
from civiclab.core.forms import show_domain_error
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.extensions import db, limiter
from civiclab.notifications import (
    personal_data,  # noqa: F401  (the export sections and deletion rules)
    services,
)
from civiclab.notifications.forms import preferences_form
from civiclab.notifications.models import Notification



@bp.app_context_processor
def bell():
    """`unread_notifications()` for the header: one COUNT per request, only when it is asked for."""

    def unread_notifications():
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            try:
                g.unread_notifications = services.unread_count(current_user)
            except sa.exc.SQLAlchemyError:
                # An error page after a broken transaction still renders, without the count.
                db.session.rollback()
                g.unread_notifications = 0
        return g.unread_notifications

    return {"unread_notifications": unread_notifications}


def _own(notification_id):
    """The signed-in user's notification, or 404 (somebody else's does not exist for them)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.get("/notifiche")
@login_required
def index():
    page = db.paginate(services.notifications_query(current_user),
                       page=page_number(),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("notifications/list.html", page=page)


@bp.get("/notifiche/<id:notification_id>/apri")
@login_required
def follow(notification_id):
    """Follow a notification's link, marking it read on the way (a harmless change)."""
    notification = _own(notification_id)
    services.mark_read(current_user, [notification.id])
    return redirect(services.safe_path(notification.url) or url_for("notifications.index"))


@bp.post("/notifiche/<id:notification_id>/letta")
@login_required
@limiter.limit(write_limit)
def mark_read(notification_id):
    notification = _own(notification_id)
    services.mark_read(current_user, [notification.id])
    return redirect(_back(f"n{notification.id}"))


@bp.post("/notifiche/lette")
@login_required
@limiter.limit(write_limit)
def mark_all_read():
    if services.mark_read(current_user):
        flash(_("Tutte le notifiche sono segnate come lette."), "success")
    return redirect(_back())


@bp.route("/notifiche/preferenze", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def preferences():
    """Per kind of news: a mail at once, a daily or weekly digest, or no mail."""
    form = preferences_form(services.preferences_of(current_user))
    if form.validate_on_submit():
        try:
            services.set_preferences(current_user, form.choices())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Preferenze salvate."), "success")
            return redirect(url_for("notifications.preferences"))
    status = 422 if request.method == "POST" else 200
    return render_template("notifications/preferences.html", form=form), status


def _back(anchor=None):
    page = request.form.get("page", type=int)
    return url_for("notifications.index", page=page if page and page > 1 else None, _anchor=anchor)
