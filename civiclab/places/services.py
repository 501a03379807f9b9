"""Changing labs, and appointing the people who run cities and labs (reading is in queries.py)."""
import re
import unicodedata

import sqlalchemy as sa
from flask_babel import gettext as _

from civiclab.core.audit import audit
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.signals import lab_saved
from civiclab.core.text import TextProblem, clean_name, clean_text
from civiclab.extensions import db
from civiclab.places.models import City, CityStaff, Lab, LabFacilitator
from civiclab.places.permissions import (
    can_appoint_facilitators,
    can_appoint_staff,
    can_manage_cities,
    can_manage_city,
)

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
    try:  # a name others read: no bidi overrides or zero-width characters in it
        data["name"] = clean_name(data["name"], max_length=160)
    except TextProblem as problem:
        raise DomainError(problem.message, field="name") from None
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
    audit(user, "lab.created", lab, city_id=city.id, name=lab.name)
    return lab


def update_lab(lab, data, user):
    if not can_manage_city(user, lab.city_id):
        raise NotAllowed(_("Solo il personale del comune può modificare questo laboratorio."))
    _check_lab(data)
    for field in LAB_FIELDS:
        setattr(lab, field, _clean(field, data.get(field)))
    db.session.flush()
    lab_saved.send(lab, actor=user, created=False)
    audit(user, "lab.edited", lab, city_id=lab.city_id, name=lab.name)
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
    audit(acting, "role.staff_appointed", role, city_id=city.id, user_id=user.id)
    return role


def remove_staff(city, user_id, acting):
    if not can_appoint_staff(acting):
        raise NotAllowed(_("Solo gli amministratori rimuovono il personale del comune."))
    role = db.session.scalar(sa.select(CityStaff).filter_by(city_id=city.id, user_id=user_id))
    if role is None:
        raise DomainError(_("Questa persona non fa parte del personale della città."))
    db.session.delete(role)
    db.session.flush()
    audit(acting, "role.staff_removed", role, city_id=city.id, user_id=user_id)
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
    audit(acting, "role.facilitator_appointed", role, city_id=lab.city_id, user_id=user.id, lab_id=lab.id)
    return role


def remove_facilitator(lab, user_id, acting):
    if not can_appoint_facilitators(acting, lab.city_id):
        raise NotAllowed(_("Solo il personale del comune rimuove i facilitatori dei suoi laboratori."))
    role = db.session.scalar(sa.select(LabFacilitator).filter_by(lab_id=lab.id, user_id=user_id))
    if role is None:
        raise DomainError(_("Questa persona non facilita il laboratorio."))
    db.session.delete(role)
    db.session.flush()
    audit(acting, "role.facilitator_removed", role, city_id=lab.city_id, user_id=user_id, lab_id=lab.id)
    return role


# ---- cities (administrators) --------------------------------------------------------------

CITY_FIELDS = ("name", "slug", "region", "municipalities_count", "population", "description")
# A slug is a path segment: lower-case ASCII words joined by hyphens ("reggio-emilia").
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Segments a city slug must not take, so no city shadows a page of the same address.
RESERVED_CITY_SLUGS = frozenset({"nuova", "nuovo", "modifica", "ruoli", "personale", "facilitatori"})
DESCRIPTION_MAX = 20_000


def _clean_name_field(value, field, max_length):
    try:
        return clean_name(value, max_length=max_length)
    except TextProblem as problem:
        raise DomainError(problem.message, field=field) from None


def clean_description(value, field="description", max_length=DESCRIPTION_MAX):
    try:
        text = clean_text(value)
    except TextProblem as problem:
        raise DomainError(problem.message, field=field) from None
    if len(text) > max_length:
        raise DomainError(_("La descrizione può avere al massimo %(n)d caratteri.", n=max_length), field=field)
    return text


def check_slug(slug, field="slug"):
    """`slug` as stored (lower-cased, trimmed), or a DomainError saying what a slug may hold."""
    slug = (slug or "").strip().lower()
    if not slug or len(slug) > 80 or not SLUG_PATTERN.match(slug):
        raise DomainError(_("L'indirizzo breve può contenere solo lettere minuscole senza accenti, cifre e "
                            "trattini (massimo 80 caratteri), ad esempio reggio-emilia."), field=field)
    return slug


def _checked_city(data, city=None):
    values = {
        "name": _clean_name_field(data.get("name"), "name", 120),
        "region": _clean_name_field(data.get("region"), "region", 80),
        "description": clean_description(data.get("description")),
    }
    slug = check_slug(data.get("slug") or slugify(values["name"]))
    if slug in RESERVED_CITY_SLUGS:
        raise DomainError(_("L'indirizzo breve «%(slug)s» è riservato: scegline un altro.", slug=slug), field="slug")
    others = sa.select(City.id).where(sa.func.lower(City.slug) == slug)
    if city is not None:
        others = others.where(City.id != city.id)
    if db.session.scalar(others.limit(1)) is not None:
        raise DomainError(_("Esiste già una città con l'indirizzo breve «%(slug)s».", slug=slug), field="slug")
    values["slug"] = slug
    for field, lowest in (("municipalities_count", 1), ("population", 0)):
        value = data.get(field)
        if value is not None and not lowest <= value <= 2**31 - 1:
            raise DomainError(_("Scrivi un numero intero tra %(low)d e %(high)d.", low=lowest, high=2**31 - 1),
                              field=field)
        values[field] = value
    return values


def create_city(actor, data):
    if not can_manage_cities(actor):
        raise NotAllowed(_("Solo gli amministratori aggiungono città."))
    city = City(**_checked_city(data))
    db.session.add(city)
    db.session.flush()
    audit(actor, "city.created", city, city_id=city.id, name=city.name, slug=city.slug)
    return city


def update_city(actor, city, data):
    if not can_manage_cities(actor):
        raise NotAllowed(_("Solo gli amministratori modificano le città."))
    values = _checked_city(data, city)
    changed = {field: [getattr(city, field), value] for field, value in values.items()
               if getattr(city, field) != value and field != "description"}
    if city.description != values["description"]:
        changed["description"] = True
    for field, value in values.items():
        setattr(city, field, value)
    db.session.flush()
    audit(actor, "city.edited", city, city_id=city.id, changed=changed)
    return city
