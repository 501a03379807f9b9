"""Cities and Laboratori aperti, as their public pages show them."""
import sqlalchemy as sa

from civiclab.api.paging import api_page
from civiclab.api.schemas import Page, Query, Schema, field
from civiclab.api.spec import operation
from civiclab.core.pagination import Key
from civiclab.places.models import City
from civiclab.places.queries import load_city


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
