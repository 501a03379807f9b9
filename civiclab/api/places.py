"""Cities and Laboratori aperti, as their public pages show them."""
import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from civiclab.api.paging import api_page
from civiclab.api.schemas import Page, Query, Schema, field
from civiclab.api.spec import operation
from civiclab.core.pagination import Key
from civiclab.places.models import City, Lab
from civiclab.places.queries import load_city, load_lab_by_id


class CityOut(Schema):
    id: int = field("Identificativo", "The city's id.")
    slug: str = field("Indirizzo", "The city's stable name in addresses (`/citta/<slug>`).")
    name: str = field("Città", "The city's name.")
    region: str = field("Regione", "The region it is in.")
    population: int | None = field("Popolazione", "Inhabitants of the metropolitan area where there is one, "
                                   "else of the city; null when not known.")
    municipalities_count: int | None = field("Comuni", "Municipalities of the metropolitan area; null if none.")
    description: str = field("Descrizione", "What the site says of the city (plain text).")


class CityQuery(Query):
    pass


@operation("GET", "/cities", tag="places", summary="Cities", query=CityQuery, response=Page[CityOut])
def cities(actor, query):
    """Every city of the network, by id."""
    return api_page(sa.select(City), [Key(City.id)], query=query, list_name="cities")


@operation("GET", "/cities/<slug>", tag="places", summary="One city", response=CityOut)
def city(actor, slug):
    """One city, by its slug."""
    return load_city(slug)


# ---- labs ---------------------------------------------------------------------------------------

# The names are the open-data file's (/dati-aperti/laboratori.csv) where it has the field.
class LabOut(Schema):
    id: int = field("Identificativo", "The lab's id.")
    slug: str = field("Indirizzo", "The lab's stable name in its city's addresses.")
    name: str = field("Laboratorio", "The lab's name.")
    city: str = field("Città", "The city's slug (see /cities), as in the open data.")
    city_name: str = field("Città", "The city's name.")
    region: str = field("Regione", "The city's region.")
    venue: str = field("Sede", "The building or place it is in; empty when not given.")
    address: str = field("Indirizzo", "Its street address; empty when not given.")
    latitude: float | None = field("Coordinate", "Latitude (WGS84, degrees); null when not given.")
    longitude: float | None = field("Coordinate", "Longitude (WGS84, degrees); null when not given.")
    theme: str = field("Tema", "The lab's theme; empty when not given.")
    description: str = field("Descrizione", "What the lab is (plain text, a paragraph a line).")
    ict_facilities: str = field("Dotazioni ICT", "Its ICT equipment (plain text, a paragraph a line).")
    accessibility: str = field("Accessibilità", "How accessible it is (plain text, a paragraph a line).")
    opening_hours: str = field("Orari di apertura", "When it is open (plain text, a paragraph a line).")
    url: str = field("Pagina", "The address of its page on the site.")


def lab_out(lab):
    city = lab.city
    return {
        "id": lab.id, "slug": lab.slug, "name": lab.name, "city": city.slug, "city_name": city.name,
        "region": city.region, "venue": lab.venue, "address": lab.address,
        "latitude": None if lab.latitude is None else float(lab.latitude),
        "longitude": None if lab.longitude is None else float(lab.longitude),
        "theme": lab.theme, "description": lab.description, "ict_facilities": lab.ict_facilities,
        "accessibility": lab.accessibility, "opening_hours": lab.opening_hours,
        "url": url_for("pages.lab", city_slug=city.slug, lab_slug=lab.slug),
    }


class LabQuery(Query):
    city: str | None = field("Città", "Only the labs of this city (its slug, see /cities).", None, max_length=80)


@operation("GET", "/labs", tag="places", summary="Laboratori aperti", query=LabQuery, response=Page[LabOut])
def labs(actor, query):
    """Every lab of the network (of one city with `city`), by id."""
    select = sa.select(Lab).options(joinedload(Lab.city))
    if query.city:
        select = select.where(Lab.city_id.in_(sa.select(City.id).where(City.slug == query.city)))
    page = api_page(select, [Key(Lab.id)], query=query, list_name="labs")
    return {**page, "data": [lab_out(lab) for lab in page["data"]]}


@operation("GET", "/labs/<id:lab_id>", tag="places", summary="One laboratorio aperto", response=LabOut)
def lab(actor, lab_id):
    """One lab, by its id: what its page shows of its sheet (its events and calls are lists of
    their own)."""
    return lab_out(load_lab_by_id(lab_id))
