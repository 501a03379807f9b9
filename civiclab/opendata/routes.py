"""The open data pages: the list of datasets, each dataset as CSV or JSON, the ZIP of all of them,
and the DCAT-AP_IT catalogue. Public: everything here is what the site already shows anyone."""
from flask import Response, abort, current_app, render_template, stream_with_context

from civiclab.opendata import bp, catalogue, datasets, downloads

# Open data is for anyone, from anywhere: a page on another site may read it.
OPEN = {"Access-Control-Allow-Origin": "*"}


@bp.get("/dati-aperti")
def index():
    return render_template(
        "opendata/index.html", datasets=datasets.DATASETS, modified=datasets.modified_dates(),
        archive_name=downloads.ARCHIVE_NAME, license_url=downloads.LICENSE_URL,
        license_deed=downloads.LICENSE_DEED, publisher=current_app.config["CIVICLAB_PUBLISHER_NAME"],
    )


@bp.get("/dati-aperti/<name>.<any(csv, json):kind>")
def download(name, kind):
    dataset = datasets.get(name) or abort(404)
    if kind == "json":
        return Response(downloads.json_text(dataset), mimetype="application/json", headers=OPEN)
    headers = {**OPEN, "Content-Disposition": f'attachment; filename="{dataset.name}.csv"'}
    return Response(stream_with_context(downloads.csv_chunks(dataset)),
                    content_type="text/csv; charset=utf-8", headers=headers)


@bp.get("/dati-aperti/civiclab-dati-aperti.zip")
def archive():
    headers = {**OPEN, "Content-Disposition": f'attachment; filename="{downloads.ARCHIVE_NAME}"'}
    return Response(downloads.archive_bytes(), mimetype="application/zip", headers=headers)


@bp.get("/dati-aperti/catalogo.<any(ttl, rdf, jsonld):fmt>")
def catalogue_file(fmt):
    return Response(catalogue.catalogue_text(fmt), content_type=f"{catalogue.FORMATS[fmt][1]}; charset=utf-8",
                    headers=OPEN)
