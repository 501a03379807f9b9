"""Ids in addresses: one `<id:…>` converter takes 1 … 2³¹-1 and nothing else, so an id no row can
have is a 404 on every route, for visitors and signed-in people, on SQLite and PostgreSQL alike
(the suite runs on both: CIVICLAB_TEST_DB=postgres)."""
import pytest
from werkzeug.routing import IntegerConverter

from civiclab.core.converters import IdConverter
from tests.conftest import login

# Just past a 32-bit INTEGER (PostgreSQL refuses to compare a column with it), past a 64-bit one
# (SQLite cannot even bind it), zero, and a digit of another script that int() would read.
IDS_NO_ROW_HAS = ["2147483648", "99999999999999999999", "0", "٣"]


def id_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(isinstance(converter, IdConverter) for converter in rule._converters.values())]


def url_with(rule, number):
    """The rule's address with every id set to `number` and its other parts to a plausible word."""
    placeholder = 1234567  # built like any id, then swapped (the converter would not build `number`)
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IdConverter):
            values[name] = placeholder
        elif hasattr(converter, "items"):  # any(...): its first word
            values[name] = min(converter.items)
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1].replace(str(placeholder), number)


def requests_for(app):
    return [(rule.endpoint, method, url_with(rule, number))
            for rule in id_rules(app) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
            for number in IDS_NO_ROW_HAS]


def test_every_route_with_a_number_in_its_address_takes_it_through_the_id_converter(app):
    bare_ints = [rule.rule for rule in app.url_map.iter_rules()
                 if any(type(converter) is IntegerConverter for converter in rule._converters.values())]

    assert bare_ints == []
    assert len(id_rules(app)) >= 50


def test_the_walk_puts_the_absurd_id_in_every_id_of_the_address(app):
    urls = {url for endpoint, method, url in requests_for(app) if endpoint == "proposals.attachment"}

    assert "/proposte/2147483648/allegati/2147483648" in urls
    assert "/eventi/99999999999999999999.ics" in {url for _e, _m, url in requests_for(app)}


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "admin"])
def test_an_id_no_row_can_have_is_not_found_on_every_route(app, client, make_user, signed_in):
    if signed_in:
        login(client, make_user(is_admin=True))

    answers = {(method, url): client.open(url, method=method).status_code
               for _endpoint, method, url in requests_for(app)}

    assert {request: status for request, status in answers.items() if status != 404} == {}


def test_the_largest_id_a_row_can_have_reaches_the_route(client):
    assert client.get("/eventi/2147483647").status_code == 404  # the route looked and found no event
    assert client.get("/eventi/1").status_code in (200, 404)
