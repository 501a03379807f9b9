"""The participation dashboard of a city and of a lab (pages/participation.py), as a page, a CSV
and a JSON file: public, aggregates only, one structure behind the three."""
import json

from flask import Response, abort, render_template, request, url_for

from civiclab.core.spreadsheet import csv_text
from civiclab.pages import bp
from civiclab.pages.participation import (
    as_json,
    csv_rows,
    parse_year,
    participation_of_city,
    participation_of_lab,
    year_choices,
)
from civiclab.places.queries import load_city, load_lab


def _page(participation, year_refused, urls):
    return render_template("pages/participation.html", participation=participation,
                           years=year_choices(), year_refused=year_refused, urls=urls)


def _year_for_page():
    """The year asked for, or None; a year out of the list is ignored and the page says so."""
    year, valid = parse_year(request.args.get("anno"))
    return year, not valid


def _year_for_download():
    year, valid = parse_year(request.args.get("anno"))
    if not valid:
        abort(400)
    return year


def _filename(participation, extension):
    parts = ["partecipazione", participation.city.slug]
    if participation.lab is not None:
        parts.append(participation.lab.slug)
    if participation.year is not None:
        parts.append(str(participation.year))
    return "-".join(parts) + "." + extension


def _csv(participation):
    header, rows = csv_rows(participation)
    return Response(csv_text(header, rows, delimiter=";"), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{_filename(participation, "csv")}"'})


def _json(participation):
    return Response(json.dumps(as_json(participation), ensure_ascii=False, indent=2),
                    mimetype="application/json",
                    headers={"Content-Disposition": f'inline; filename="{_filename(participation, "json")}"'})


def _download_urls(endpoint, year, **slugs):
    args = {"anno": year} if year is not None else {}
    return {"csv": url_for(f"{endpoint}_csv", **slugs, **args),
            "json": url_for(f"{endpoint}_json", **slugs, **args),
            "page": url_for(endpoint, **slugs)}


# ---- a city --------------------------------------------------------------------------------------

@bp.get("/citta/<slug>/partecipazione")
def city_participation(slug):
    city = load_city(slug)
    year, refused = _year_for_page()
    return _page(participation_of_city(city, year), refused,
                 _download_urls("pages.city_participation", year, slug=city.slug))


@bp.get("/citta/<slug>/partecipazione.csv")
def city_participation_csv(slug):
    city = load_city(slug)
    return _csv(participation_of_city(city, _year_for_download()))


@bp.get("/citta/<slug>/partecipazione.json")
def city_participation_json(slug):
    city = load_city(slug)
    return _json(participation_of_city(city, _year_for_download()))


# ---- a lab ---------------------------------------------------------------------------------------

@bp.get("/citta/<city_slug>/laboratori/<lab_slug>/partecipazione")
def lab_participation(city_slug, lab_slug):
    lab = load_lab(city_slug, lab_slug)
    year, refused = _year_for_page()
    return _page(participation_of_lab(lab, year), refused,
                 _download_urls("pages.lab_participation", year, city_slug=lab.city.slug, lab_slug=lab.slug))


@bp.get("/citta/<city_slug>/laboratori/<lab_slug>/partecipazione.csv")
def lab_participation_csv(city_slug, lab_slug):
    lab = load_lab(city_slug, lab_slug)
    return _csv(participation_of_lab(lab, _year_for_download()))


@bp.get("/citta/<city_slug>/laboratori/<lab_slug>/partecipazione.json")
def lab_participation_json(city_slug, lab_slug):
    lab = load_lab(city_slug, lab_slug)
    return _json(participation_of_lab(lab, _year_for_download()))
