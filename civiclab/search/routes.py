"""The site search page: one box, results grouped by kind, more pages per group."""
from flask import render_template, request
from werkzeug.datastructures import ImmutableMultiDict

from civiclab.core.pagination import page_number
from civiclab.search import bp, queries


@bp.get("/cerca")
def search():
    """?q= the text; ?tipo= one group (progetti, eventi, laboratori, proposte) with ?pagina=."""
    text = queries.clean_query(request.args.get("q", ""))
    group = request.args.get("tipo")
    group = group if group in queries.GROUPS else None
    results = None
    if text:
        if group:
            page = page_number(ImmutableMultiDict({"page": request.args.get("pagina", "1")}))
            results = {group: queries.search_group(group, text, page)}
        else:
            results = {name: queries.search_group(name, text) for name in queries.GROUPS}
    return render_template("search/results.html", text=text, group=group, results=results)
