"""The notifications page, following a notification's link, marking notifications read, and the
mail preferences."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.kit import attempt, limit_writes, page
from civiclab.core.pagination import page_number
from civiclab.extensions import db
from civiclab.notifications import bp, queries, services
from civiclab.notifications.forms import preferences_form
from civiclab.notifications.queries import load_notification


@bp.get("/notifiche")
@login_required
def index():
    found = db.paginate(queries.notifications_query(current_user), page=page_number(),
                        per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("notifications/list.html", page=found)


@bp.get("/notifiche/<id:notification_id>/apri")
@login_required
def follow(notification_id):
    """Follow a notification's link, marking it read on the way (a harmless change)."""
    notification = load_notification(notification_id)
    services.mark_read(current_user, [notification.id])
    return redirect(services.safe_path(notification.url) or url_for("notifications.index"))


@bp.post("/notifiche/<id:notification_id>/letta")
@login_required
@limit_writes()
def mark_read(notification_id):
    notification = load_notification(notification_id)
    services.mark_read(current_user, [notification.id])
    return redirect(_back(f"n{notification.id}"))


@bp.post("/notifiche/lette")
@login_required
@limit_writes()
def mark_all_read():
    if services.mark_read(current_user):
        flash(_("Tutte le notifiche sono segnate come lette."), "success")
    return redirect(_back())


@bp.route("/notifiche/preferenze", methods=["GET", "POST"])
@login_required
@limit_writes()
def preferences():
    """Per kind of news: a mail at once, a daily or weekly digest, or no mail."""
    form = preferences_form(services.preferences_of(current_user))
    if form.validate_on_submit() and attempt(services.set_preferences, current_user, form.choices(), form=form):
        flash(_("Preferenze salvate."), "success")
        return redirect(url_for("notifications.preferences"))
    return page("notifications/preferences.html", form=form)


def _back(anchor=None):
    page_asked = request.form.get("page", type=int)
    return url_for("notifications.index", page=page_asked if page_asked and page_asked > 1 else None,
                   _anchor=anchor)
