"""The API about itself: its OpenAPI document and its front door."""
from flask import current_app, jsonify, request

from civiclab.api import bp
from civiclab.api.openapi import document
from civiclab.api.spec import OPERATIONS

DESCRIPTION = (
    "CivicLab's public API: everything the site shows anyone, to read without an account, and "
    "writes as a person with a personal access token (made on the profile page). Field names are "
    "English; each field's Italian label, as the site shows it, is in `x-label-it`. Lists are keyset "
    "pages in a stable order: follow `links.next`. Errors are always "
    "`{\"error\": {\"code\", \"message\", \"fields\"}}`, in the language asked with Accept-Language."
)


def openapi_document():
    """The document, built once per app (the operations do not change while it runs)."""
    built = current_app.extensions.get("civiclab_openapi")
    if built is None:
        built = document(OPERATIONS, title="CivicLab API", version="1.0.0", description=DESCRIPTION)
        current_app.extensions["civiclab_openapi"] = built
    return built


@bp.get("/openapi.json")
def openapi_json():
    response = jsonify(openapi_document())
    response.add_etag()
    response.headers["Access-Control-Allow-Origin"] = "*"  # public, read-only, without credentials
    return response.make_conditional(request)


@bp.get("/")
def index():
    return jsonify({"openapi": "/api/v1/openapi.json", "documentation": "/api/v1/documentazione",
                    "version": "1.0.0"})
