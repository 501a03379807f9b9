"""Reading cities and labs, and who runs them; the loaders that answer 404 (no such city or
lab) or 403 (not yours to change) in one place."""
import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from civiclab.accounts.models import User
from civiclab.core.permissions import require
from civiclab.extensions import db
from civiclab.places.models import City, CityStaff, Lab, LabFacilitator
from civiclab.places.permissions import (
    can_appoint_facilitators,
    can_appoint_staff,
    can_create_lab,
    can_edit_lab,
    can_manage_cities,
)

# What `for_` asks of the signed-in person, for each loader.
CITY_ACCESS = {
    "view": lambda user, city: True,
    "create_lab": can_create_lab,
    "roles": can_appoint_facilitators,  # the roles page; appointing and removing facilitators
    "appoint_staff": lambda user, city: can_appoint_staff(user),
    "edit": lambda user, city: can_manage_cities(user),  # its own sheet: name, slug, region
}
LAB_ACCESS = {
    "view": lambda user, lab: True,
    "edit": can_edit_lab,
    "roles": lambda user, lab: can_appoint_facilitators(user, lab.city_id),
}


def load_city(slug, for_="view"):
    """The city `slug` with its labs (404 if there is none), for what `for_` names (else 403)."""
    city = db.first_or_404(city_by_slug_select(slug))
    require(CITY_ACCESS[for_](current_user, city))
    return city


def load_lab(city_slug, lab_slug, for_="view"):
    """The lab `lab_slug` of the city `city_slug` (404 if there is none), for `for_` (else 403)."""
    lab = db.first_or_404(lab_by_slugs_select(city_slug, lab_slug))
    require(LAB_ACCESS[for_](current_user, lab))
    return lab


def load_lab_by_id(lab_id, for_="view"):
    lab = db.get_or_404(Lab, lab_id)
    require(LAB_ACCESS[for_](current_user, lab))
    return lab


def cities_select():
    return sa.select(City).options(selectinload(City.labs)).order_by(City.name)


def labs_select(city=None):
    query = sa.select(Lab).join(Lab.city).options(joinedload(Lab.city)).order_by(City.name, Lab.name)
    if city is not None:
        query = query.where(Lab.city_id == city.id)
    return query


def city_by_slug_select(slug):
    return sa.select(City).filter_by(slug=slug).options(selectinload(City.labs))


def lab_by_slugs_select(city_slug, lab_slug):
    return (
        sa.select(Lab).join(Lab.city).options(joinedload(Lab.city))
        .where(City.slug == city_slug, Lab.slug == lab_slug)
    )


def all_cities():
    """Every city with its labs, by name (one query for the cities, one for their labs)."""
    return db.session.scalars(cities_select()).all()


def managed_cities(user):
    """The cities whose labs and projects `user` manages (all of them for administrators)."""
    query = sa.select(City).options(selectinload(City.labs)).order_by(City.name)
    if not user.is_admin:
        query = query.where(City.id.in_(user.staff_city_ids or {-1}))
    return db.session.scalars(query).all()


def city_roles(city):
    """The staff of `city` and the facilitators of each of its labs, with their users."""
    staff = db.session.scalars(
        sa.select(CityStaff).where(CityStaff.city_id == city.id)
        .options(joinedload(CityStaff.user)).order_by(CityStaff.created_at)
    ).all()
    facilitators = db.session.scalars(
        sa.select(LabFacilitator).join(LabFacilitator.lab).where(Lab.city_id == city.id)
        .options(joinedload(LabFacilitator.user), joinedload(LabFacilitator.lab))
        .order_by(Lab.name, LabFacilitator.created_at)
    ).all()
    return staff, facilitators


# ---- administration -----------------------------------------------------------------------

def admin_cities_select():
    """Every city by name, with its labs (one query for the page, one for their labs)."""
    return cities_select()


def staff_roles_select():
    """Every municipality staff role of every city, with its user and city, by city and name."""
    return (
        sa.select(CityStaff).join(CityStaff.city).join(CityStaff.user)
        .options(joinedload(CityStaff.user), joinedload(CityStaff.city))
        .order_by(City.name, User.display_name, CityStaff.id)
    )


def facilitator_roles_select():
    """Every facilitator role of every lab, with its user, lab and city, by city, lab and name."""
    return (
        sa.select(LabFacilitator).join(LabFacilitator.lab).join(Lab.city).join(LabFacilitator.user)
        .options(joinedload(LabFacilitator.user), joinedload(LabFacilitator.lab).joinedload(Lab.city))
        .order_by(City.name, Lab.name, User.display_name, LabFacilitator.id)
    )
