"""The API about itself: its OpenAPI document, its documentation page and its front door."""
from flask import current_app, jsonify, render_template, request

from civiclab.api import bp, documentation
from civiclab.api.openapi import document
from civiclab.api.schemas import MAX_PER_PAGE, PER_PAGE
from civiclab.api.spec import OPERATIONS
from civiclab.core.errors import html_page
from civiclab.core.page_cache import public_page

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


@bp.get("/documentazione", endpoint="documentation")
@html_page
@public_page
def documentation_page():
    """The documentation, read from the document: a page like the site's others (it reads the
    reader's language from the session, and visitors share it from the page cache)."""
    built = openapi_document()
    return render_template(
        "api/documentation.html", info=built["info"], tags=documentation.tags(built),
        segments=documentation.segments, per_page=PER_PAGE, max_per_page=MAX_PER_PAGE,
        read_limit=current_app.config["RATELIMIT_API_READ"], write_limit=current_app.config["RATELIMIT_WRITE"],
    )
