"""The DCAT-AP_IT catalogue, parsed back with rdflib: every property the profile requires, on the
catalogue, each dataset and each distribution."""
import datetime

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from civiclab.opendata.datasets import DATASETS

# Plain namespaces (rdflib's defined ones warn when pytest looks them over).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPES = {URIRef(EU + f"file-type/{kind}") for kind in ("CSV", "JSON", "ZIP")}


def one(graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def parsed(client, fmt, rdflib_format):
    response = client.get(f"/dati-aperti/catalogo.{fmt}")
    assert response.status_code == 200
    graph = Graph()
    graph.parse(data=response.get_data(as_text=True), format=rdflib_format)
    return graph, response


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt, rdflib_format, mimetype", [
    ("ttl", "turtle", "text/turtle"), ("rdf", "xml", "application/rdf+xml"),
    ("jsonld", "json-ld", "application/ld+json"),
])
def test_the_catalogue_has_every_required_property(client, open_world, fmt, rdflib_format, mimetype):
    graph, response = parsed(client, fmt, rdflib_format)
    assert response.mimetype == mimetype

    (catalogue,) = graph.subjects(RDF.type, DCATAPIT.Catalog)
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    assert str(catalogue) == "http://localhost/dati-aperti"
    assert one(graph, catalogue, DCTERMS["title"]).language == "it"
    assert str(one(graph, catalogue, DCTERMS.description))
    assert one(graph, catalogue, DCTERMS.language) == URIRef(EU + "language/ITA")
    assert one(graph, catalogue, FOAF.homepage) == URIRef("http://localhost/")
    assert one(graph, catalogue, DCTERMS.issued).datatype == XSD.date
    modified = one(graph, catalogue, DCTERMS.modified)
    assert modified.datatype == XSD.date
    publisher = one(graph, catalogue, DCTERMS.publisher)
    assert (publisher, RDF.type, DCATAPIT.Agent) in graph
    assert one(graph, publisher, DCTERMS.identifier) == Literal("civiclab")
    assert str(one(graph, publisher, FOAF.name)) == "CivicLab – Rete dei Laboratori aperti"

    datasets = set(graph.objects(catalogue, DCAT.dataset))
    assert datasets == set(graph.subjects(RDF.type, DCATAPIT.Dataset))
    identifiers = set()
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        identifiers.add(str(one(graph, dataset, DCTERMS.identifier)))
        assert one(graph, dataset, DCTERMS["title"]).language == "it"
        assert str(one(graph, dataset, DCTERMS.description))
        assert one(graph, dataset, DCTERMS.modified).datatype == XSD.date
        assert one(graph, dataset, DCTERMS.language) == URIRef(EU + "language/ITA")
        assert one(graph, dataset, DCTERMS.publisher) == publisher
        assert one(graph, dataset, DCTERMS.rightsHolder) == publisher
        assert str(one(graph, dataset, DCTERMS.accrualPeriodicity)).startswith(EU + "frequency/")
        themes = list(graph.objects(dataset, DCAT.theme))
        assert themes and all(str(theme).startswith(EU + "data-theme/") for theme in themes)
        contact = one(graph, dataset, DCAT.contactPoint)
        assert (contact, RDF.type, DCATAPIT.Organization) in graph
        assert str(one(graph, contact, VCARD.hasEmail)).startswith("mailto:")
        assert str(one(graph, contact, VCARD.fn))

        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) == 3
        formats = set()
        for distribution in distributions:
            assert (distribution, RDF.type, DCATAPIT.Distribution) in graph
            formats.add(one(graph, distribution, DCTERMS["format"]))
            assert str(one(graph, distribution, DCAT.accessURL)).startswith("http://localhost/dati-aperti")
            download = str(one(graph, distribution, DCAT.downloadURL))
            assert download.startswith("http://localhost/dati-aperti/")
            assert client.get(download.removeprefix("http://localhost")).status_code == 200
            licence = one(graph, distribution, DCTERMS.license)
            assert (licence, RDF.type, DCATAPIT.LicenseDocument) in graph
            assert str(licence) == "https://creativecommons.org/licenses/by/4.0/"
            assert one(graph, licence, DCTERMS.type) == URIRef("http://purl.org/adms/licencetype/Attribution")
            assert "CC BY 4.0" in str(one(graph, licence, DCTERMS["title"]))
        assert formats == FILE_TYPES
    assert identifiers == {f"civiclab:{dataset.name}" for dataset in DATASETS}


def test_a_dataset_is_modified_when_its_rows_last_changed_not_now(client, db_session, open_world):
    from civiclab.core.time import to_rome

    project = open_world["project"]
    project.updated_at = datetime.datetime(2024, 5, 6, 10, tzinfo=datetime.UTC)
    db_session.commit()
    graph, _ = parsed(client, "ttl", "turtle")
    node = URIRef("http://localhost/dati-aperti#progetti")
    assert one(graph, node, DCTERMS.modified).toPython() == datetime.date(2024, 5, 6)
    events = URIRef("http://localhost/dati-aperti#eventi")
    assert one(graph, events, DCTERMS.modified).toPython() == to_rome(open_world["event"].updated_at).date()


def test_an_empty_dataset_counts_as_modified_when_the_catalogue_was_issued(client):
    graph, _ = parsed(client, "ttl", "turtle")
    node = URIRef("http://localhost/dati-aperti#tappe")
    assert one(graph, node, DCTERMS.modified).toPython() == datetime.date(2025, 1, 1)


def test_the_publisher_comes_from_the_settings(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CIVICLAB_PUBLISHER_NAME", "Comune di Bologna")
    monkeypatch.setitem(app.config, "CIVICLAB_PUBLISHER_IPA", "c_a944")
    monkeypatch.setitem(app.config, "CIVICLAB_BASE_URL", "https://dati.example.org")
    graph, _ = parsed(client, "rdf", "xml")
    (publisher,) = set(graph.objects(None, DCTERMS.publisher))
    assert str(one(graph, publisher, FOAF.name)) == "Comune di Bologna"
    assert Literal("c_a944:progetti") in set(graph.objects(None, DCTERMS.identifier))
    assert str(next(iter(graph.subjects(RDF.type, DCATAPIT.Catalog)))) == "https://dati.example.org/dati-aperti"


def test_an_english_reader_gets_the_catalogue_in_italian(client, open_world):
    client.post("/lingua", data={"lang": "en", "next": "/"})
    graph, _ = parsed(client, "ttl", "turtle")
    node = URIRef("http://localhost/dati-aperti#progetti")
    assert str(one(graph, node, DCTERMS["title"])) == "Progetti finanziati"


def test_the_events_change_when_someone_is_marked_present(client, db_session, open_world):
    old = datetime.datetime(2024, 5, 6, 10, tzinfo=datetime.UTC)
    event = open_world["event"]
    event.updated_at = old
    for registration in event.registrations:
        registration.created_at = old
        registration.cancelled_at = None
        registration.attended_at = old + datetime.timedelta(days=30) if registration.user_id else None
    db_session.commit()
    graph, _ = parsed(client, "ttl", "turtle")
    node = URIRef("http://localhost/dati-aperti#eventi")
    assert one(graph, node, DCTERMS.modified).toPython() == datetime.date(2024, 6, 5)
