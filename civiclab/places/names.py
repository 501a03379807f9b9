"""The names of the municipalities, which no participant may take as display name (added to
accounts/names.py's `reserved_names` from places' connect()): "Comune di Bologna" is the
municipality's staff alone."""
import sqlalchemy as sa

from civiclab.extensions import db
from civiclab.places.models import City

# How a municipality is named, in Italian and English.
MUNICIPALITY_NAMES = ("Comune di {}", "Città di {}", "Città metropolitana di {}", "Municipality of {}",
                      "City of {}", "Comune {}")


def municipality_names(user):
    """Every city's municipality names, but those of the cities `user` is staff of."""
    own = set(user.staff_city_ids) if user is not None else set()
    for city_id, name in db.session.execute(sa.select(City.id, City.name)):
        if city_id not in own:
            yield from (pattern.format(name) for pattern in MUNICIPALITY_NAMES)
