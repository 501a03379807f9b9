"""Reading for the pages that show several domains: the network's figures on the home page."""
from civiclab.places.queries import all_cities
from civiclab.programmes.queries import latest_projects


def network_overview(latest=5):
    """What the home page shows: every city with its labs, counts, the latest projects."""
    cities = all_cities()
    return {
        "cities": cities,
        "cities_with_labs": [city for city in cities if city.labs],
        "labs_count": sum(len(city.labs) for city in cities),
        "latest_projects": latest_projects(latest),
    }
