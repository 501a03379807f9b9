"""The DCAT-AP_IT catalogue of the open datasets: the metadata profile Italian public bodies
publish so that the national catalogue (dati.gov.it) can harvest their data.

One dcatapit:Catalog, a dcatapit:Dataset per dataset, a dcatapit:Distribution per file (CSV,
JSON, and the ZIP of all of them), each with its publisher (the body named by CIVICLAB_PUBLISHER_NAME
and its IPA code, CIVICLAB_PUBLISHER_IPA), identifiers "<ipa>:<dataset>", EU data themes, the
CC BY 4.0 licence and the date its rows last changed. Written with rdflib as Turtle, RDF/XML or
JSON-LD; every address is absolute, built from CIVICLAB_BASE_URL.
"""
import datetime

from flask import current_app
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from civiclab.core.i18n import in_language
from civiclab.core.urls import external_url
from civiclab.opendata.datasets import DATASETS, THEME, modified_dates
from civiclab.opendata.downloads import LICENSE_DEED

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
LANGUAGE = URIRef(EU + "language/ITA")
FREQUENCY = URIRef(EU + "frequency/IRREG")  # the rows change whenever the site changes
FILE_TYPE = {"csv": URIRef(EU + "file-type/CSV"), "json": URIRef(EU + "file-type/JSON"),
             "zip": URIRef(EU + "file-type/ZIP")}
MEDIA_TYPE = {"csv": "text/csv", "json": "application/json", "zip": "application/zip"}
LICENCE_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")
FORMATS = {"ttl": ("turtle", "text/turtle"), "rdf": ("xml", "application/rdf+xml"),
           "jsonld": ("json-ld", "application/ld+json")}


def _bind(graph):
    for prefix, namespace in (("dcatapit", DCATAPIT), ("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF),
                              ("vcard", VCARD), ("xsd", XSD)):
        graph.bind(prefix, namespace)


def _date(value):
    return Literal(value.isoformat(), datatype=XSD.date)


def _fallback_date():
    """The catalogue's issue date: what a dataset with no rows yet counts as its last change."""
    return datetime.date.fromisoformat(current_app.config["CIVICLAB_CATALOGUE_ISSUED"])


def _publisher(graph):
    config = current_app.config
    agent = URIRef(external_url("opendata.index", _anchor="editore"))
    graph.add((agent, RDF.type, DCATAPIT.Agent))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, DCTERMS.identifier, Literal(config["CIVICLAB_PUBLISHER_IPA"])))
    graph.add((agent, FOAF.name, Literal(config["CIVICLAB_PUBLISHER_NAME"], lang="it")))
    return agent


def _contact_point(graph):
    config = current_app.config
    contact = URIRef(external_url("opendata.index", _anchor="contatti"))
    graph.add((contact, RDF.type, DCATAPIT.Organization))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(config["CIVICLAB_PUBLISHER_NAME"])))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{config['CIVICLAB_OPENDATA_EMAIL']}")))
    return contact


def _licence(graph):
    licence = URIRef(LICENSE_DEED)
    graph.add((licence, RDF.type, DCATAPIT.LicenseDocument))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.type, LICENCE_TYPE))
    graph.add((licence, DCTERMS.title, Literal("Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)",
                                               lang="it")))
    graph.add((licence, FOAF.name, Literal("CC BY 4.0")))
    return licence


def _distribution(graph, node, dataset_title, url, kind, modified, licence):
    """A file of a dataset; `node` names it (the ZIP is one file, a distribution of every dataset)."""
    node = URIRef(node)
    graph.add((node, RDF.type, DCATAPIT.Distribution))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.format, FILE_TYPE[kind]))
    graph.add((node, DCAT.mediaType, Literal(MEDIA_TYPE[kind])))
    graph.add((node, DCAT.accessURL, URIRef(external_url("opendata.index"))))
    graph.add((node, DCAT.downloadURL, URIRef(url)))
    graph.add((node, DCTERMS.license, licence))
    graph.add((node, DCTERMS.title, Literal(f"{dataset_title} ({kind.upper()})", lang="it")))
    graph.add((node, DCTERMS.modified, _date(modified)))
    return node


def catalogue_graph():
    """The catalogue as an rdflib Graph."""
    config = current_app.config
    graph = Graph()
    _bind(graph)
    publisher, contact, licence = _publisher(graph), _contact_point(graph), _licence(graph)
    ipa = config["CIVICLAB_PUBLISHER_IPA"]
    issued = _fallback_date()
    dates = {name: value or issued for name, value in modified_dates().items()}
    archive_url = external_url("opendata.archive")

    catalogue = URIRef(external_url("opendata.index"))
    graph.add((catalogue, RDF.type, DCATAPIT.Catalog))
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal(config["CIVICLAB_CATALOGUE_TITLE"], lang="it")))
    graph.add((catalogue, DCTERMS.description, Literal(
        "I dati aperti della rete dei Laboratori aperti: città, laboratori, progetti finanziati e il loro "
        "avanzamento finanziario, risultati, eventi e proposte dei partecipanti.", lang="it")))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, DCTERMS.modified, _date(max(dates.values()))))
    graph.add((catalogue, DCTERMS.issued, _date(issued)))
    graph.add((catalogue, DCTERMS.language, LANGUAGE))
    graph.add((catalogue, FOAF.homepage, URIRef(external_url("pages.home"))))

    for dataset in DATASETS:
        node = URIRef(external_url("opendata.index", _anchor=dataset.name))
        title = str(dataset.title)
        graph.add((catalogue, DCAT.dataset, node))
        graph.add((node, RDF.type, DCATAPIT.Dataset))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(f"{ipa}:{dataset.name}")))
        graph.add((node, DCTERMS.title, Literal(title, lang="it")))
        graph.add((node, DCTERMS.description, Literal(str(dataset.description), lang="it")))
        graph.add((node, DCTERMS.modified, _date(dates[dataset.name])))
        graph.add((node, DCTERMS.issued, _date(issued)))
        graph.add((node, DCTERMS.language, LANGUAGE))
        graph.add((node, DCTERMS.publisher, publisher))
        graph.add((node, DCTERMS.rightsHolder, publisher))
        graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY))
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((node, DCAT.landingPage, URIRef(external_url("opendata.index", _anchor=dataset.name))))
        for theme in dataset.themes:
            graph.add((node, DCAT.theme, URIRef(THEME + theme)))
        for kind in ("csv", "json"):
            url = external_url("opendata.download", name=dataset.name, kind=kind)
            graph.add((node, DCAT.distribution,
                       _distribution(graph, url, title, url, kind, dates[dataset.name], licence)))
        graph.add((node, DCAT.distribution, _distribution(graph, f"{archive_url}#{dataset.name}", title,
                                                          archive_url, "zip", max(dates.values()), licence)))
    return graph


def catalogue_text(fmt):
    """The catalogue serialised as `fmt` ("ttl", "rdf", "jsonld"), its texts in Italian."""
    with in_language("it"):
        return catalogue_graph().serialize(format=FORMATS[fmt][0])
