"""Changing labs, and appointing the people who run cities and labs (reading is in queries.py)."""
import re
import unicodedata

import sqlalchemy as sa
from flask_babel import gettext as _

from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.signals import lab_saved
from civiclab.extensions import db
from civiclab.places.models import CityStaff, Lab, LabFacilitator
from civiclab.places.permissions import can_appoint_facilitators, can_appoint_staff, can_manage_city

LAB_FIELDS = (
    "name", "venue", "theme", "address", "latitude", "longitude",
    "description", "ict_facilities", "accessibility", "opening_hours",
)
# Path segments a lab slug must not take, or the lab would shadow a page.
RESERVED_SLUGS = frozenset({"nuovo", "modifica"})


def slugify(text, max_length=80):
    """'Forlì – ex Asilo' -> 'forli-ex-asilo'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "laboratorio"


# ---- labs ---------------------------------------------------------------------------------

def _unique_lab_slug(city, name, exclude_id=None):
    base = slugify(name, max_length=70)
    query = sa.select(Lab.slug).where(Lab.city_id == city.id, Lab.slug.startswith(base))
    if exclude_id is not None:
        query = query.where(Lab.id != exclude_id)
    taken = set(db.session.scalars(query)) | RESERVED_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_lab(data):
    if not (data.get("name") or "").strip():
        raise DomainError(_("Il nome del laboratorio è obbligatorio."), field="name")
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None):
        raise DomainError(_("Indica sia la latitudine sia la longitudine, oppure nessuna delle due."),
                          field="longitude" if lon is None else "latitude")
    if lat is not None and not -90 <= lat <= 90:
        raise DomainError(_("La latitudine deve essere compresa tra -90 e 90."), field="latitude")
    if lon is not None and not -180 <= lon <= 180:
        raise DomainError(_("La longitudine deve essere compresa tra -180 e 180."), field="longitude")


def create_lab(city, data, user):
    if not can_manage_city(user, city):
        raise NotAllowed(_("Solo il personale del comune può aggiungere laboratori."))
    _check_lab(data)
    lab = Lab(city=city, slug=_unique_lab_slug(city, data["name"]))
    for field in LAB_FIELDS:
        setattr(lab, field, _clean(field, data.get(field)))
    db.session.add(lab)
    db.session.flush()
    lab_saved.send(lab, actor=user, created=True)
    return lab


def update_lab(lab, data, user):
    if not can_manage_city(user, lab.city_id):
        raise NotAllowed(_("Solo il personale del comune può modificare questo laboratorio."))
    _check_lab(data)
    for field in LAB_FIELDS:
        setattr(lab, field, _clean(field, data.get(field)))
    db.session.flush()
    lab_saved.send(lab, actor=user, created=False)
    return lab


def _clean(field, value):
    if field in ("latitude", "longitude"):
        return value  # a Decimal or None
    return (value or "").strip()


# ---- roles --------------------------------------------------------------------------------

def find_user_by_email(email):
    from civiclab.accounts.models import User

    email = (email or "").strip().lower()
    if not email:
        return None
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == email, User.deleted_at.is_(None))
    )


def _user_or_error(email):
    user = find_user_by_email(email)
    if user is None:
        # Staff and administrators only reach this: naming the missing address is fine here.
        raise DomainError(_("Nessun utente registrato con questo indirizzo email."), field="email")
    return user


def appoint_staff(city, email, acting):
    if not can_appoint_staff(acting):
        raise NotAllowed(_("Solo gli amministratori nominano il personale del comune."))
    user = _user_or_error(email)
    if city.id in user.staff_city_ids:
        raise DomainError(_("%(name)s fa già parte del personale di %(city)s.",
                            name=user.display_name, city=city.name), field="email")
    role = CityStaff(user=user, city=city)
    db.session.add(role)
    db.session.flush()
    return role


def remove_staff(city, user_id, acting):
    if not can_appoint_staff(acting):
        raise NotAllowed(_("Solo gli amministratori rimuovono il personale del comune."))
    role = db.session.scalar(sa.select(CityStaff).filter_by(city_id=city.id, user_id=user_id))
    if role is None:
        raise DomainError(_("Questa persona non fa parte del personale della città."))
    db.session.delete(role)
    db.session.flush()
    return role


def appoint_facilitator(lab, email, acting):
    if not can_appoint_facilitators(acting, lab.city_id):
        raise NotAllowed(_("Solo il personale del comune nomina i facilitatori dei suoi laboratori."))
    user = _user_or_error(email)
    if lab.id in user.facilitated_lab_ids:
        raise DomainError(_("%(name)s facilita già %(lab)s.", name=user.display_name, lab=lab.name),
                          field="email")
    role = LabFacilitator(user=user, lab=lab)
    db.session.add(role)
    db.session.flush()
    return role


def remove_facilitator(lab, user_id, acting):
    if not can_appoint_facilitators(acting, lab.city_id):
        raise NotAllowed(_("Solo il personale del comune rimuove i facilitatori dei suoi laboratori."))
    role = db.session.scalar(sa.select(LabFacilitator).filter_by(lab_id=lab.id, user_id=user_id))
    if role is None:
        raise DomainError(_("Questa persona non facilita il laboratorio."))
    db.session.delete(role)
    db.session.flush()
    return role
