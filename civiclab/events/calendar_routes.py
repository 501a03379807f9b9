"""Calendars to download: an event's .ics file, and the feeds of a city's and a lab's events."""
import sqlalchemy as sa
from flask import Response
from flask_babel import gettext as _

from civiclab.events import bp
from civiclab.events.calendar import build_calendar, event_calendar, event_filename, feed_select
from civiclab.events.queries import load_event
from civiclab.extensions import db
from civiclab.places.models import City, Lab


def _ics_response(data, filename):
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/eventi/<id:event_id>.ics")
def event_ics(event_id):
    event = load_event(event_id)
    return _ics_response(event_calendar(event), event_filename(event))


@bp.get("/citta/<slug>/eventi.ics")
def city_feed(slug):
    city = db.first_or_404(sa.select(City).filter_by(slug=slug))
    events = db.session.scalars(feed_select(city_id=city.id)).unique()
    name = _("Eventi dei laboratori di %(city)s", city=city.name)
    return _ics_response(build_calendar(events, name=name), f"eventi-{city.slug}.ics")


@bp.get("/citta/<city_slug>/laboratori/<lab_slug>/eventi.ics")
def lab_feed(city_slug, lab_slug):
    lab = db.first_or_404(
        sa.select(Lab).join(Lab.city).where(City.slug == city_slug, Lab.slug == lab_slug)
    )
    events = db.session.scalars(feed_select(lab_id=lab.id)).unique()
    name = _("Eventi di %(lab)s", lab=lab.name)
    return _ics_response(build_calendar(events, name=name), f"eventi-{lab.city.slug}-{lab.slug}.ics")
