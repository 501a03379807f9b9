"""Domain errors and the error pages: a clear message, never a stack trace."""
from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from civiclab.core.logs import request_id as current_request_id
from civiclab.core.logs import signed_in_user_id
from civiclab.extensions import db


class DomainError(Exception):
    """A rule of the domain refused an action; the message is shown to the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The acting user may not do this (routes turn it into a 403)."""


def html_page(view):
    """Mark a view under /api/ that answers an HTML page (the API's documentation): like every
    page, it reads the session's language and its errors are pages."""
    view.html_page = True
    return view


def is_api_request():
    """Whether this request is the JSON API's (under /api/): JSON errors, no cookie read."""
    if not request.path.startswith("/api/"):
        return False
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return not getattr(view, "html_page", False)


def wants_json():
    if is_api_request():
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _titles():
    return {
        400: _("Richiesta non valida"),
        401: _("Autenticazione richiesta"),
        403: _("Accesso negato"),
        404: _("Pagina non trovata"),
        405: _("Metodo non consentito"),
        409: _("Conflitto"),
        415: _("Formato non supportato"),
        413: _("File troppo grande"),
        422: _("Dati non validi"),
        429: _("Troppe richieste"),
        500: _("Errore del server"),
    }


def _explanations():
    return {
        400: _("La richiesta non è valida o il modulo è scaduto: ricarica la pagina e riprova."),
        401: _("Questa operazione richiede un token personale valido (Authorization: Bearer …)."),
        403: _("Non hai i permessi per vedere o modificare questa pagina."),
        404: _("La pagina che cerchi non esiste o è stata spostata."),
        405: _("Questa azione non è disponibile a questo indirizzo."),
        409: _("La richiesta è in conflitto con lo stato attuale dei dati."),
        415: _("Invia il corpo della richiesta come JSON (Content-Type: application/json)."),
        413: _("Il contenuto inviato supera la dimensione massima consentita."),
        422: _("Alcuni dati non sono validi."),
        429: _("Hai fatto troppe richieste in poco tempo: attendi qualche minuto e riprova."),
        500: _("Qualcosa non ha funzionato dalla nostra parte. Riprova più tardi."),
    }


# The API's error codes (`{"error": {"code", "message", "fields"}}`, civiclab/api/errors.py).
API_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
             422: "invalid", 429: "too_many_requests", 500: "server_error"}


def api_error(status, message, code=None, fields=None, request_id=None):
    """The API's one error answer: JSON, never HTML, with a message in the reader's language
    (and, on a server error, the request's id to quote to support)."""
    body = {"error": {"code": code or API_CODES.get(status, "error"), "message": str(message),
                      "fields": {name: str(text) for name, text in (fields or {}).items()}}}
    if request_id:
        body["error"]["request_id"] = request_id
    return jsonify(body), status


def render_error(code, description=None, headers=None):
    db.session.rollback()
    title = _titles().get(code, _("Errore"))
    message = description or _explanations().get(code, title)
    # A server error names the request, so whoever meets it can quote it to support (core/logs.py).
    rid = current_request_id() if code >= 500 else None
    if is_api_request():
        response, status = api_error(code, description or (_("Risorsa non trovata.") if code == 404 else message),
                                     request_id=rid)
        return response, status, headers or {}
    if wants_json():
        extra = {"request_id": rid} if rid else {}
        return jsonify(error=title, message=message, status=code, **extra), code, headers or {}
    return render_template("errors/error.html", code=code, title=title, message=message,
                           request_id=rid), code, headers or {}


def _found_with_any(methods):
    """Whether this address names something with one of `methods`. Werkzeug checks a rule's
    methods before its converters, so `DELETE /eventi/0` beside `POST /eventi/<id:…>` comes out 405
    although no method finds anything there: that is a 404."""
    adapter = current_app.create_url_adapter(request)
    for method in methods:
        try:
            adapter.match(method=method)
        except NotFound:
            continue
        except HTTPException:  # a redirect, or another refusal: the address exists
            return True
        return True
    return False


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(exc):
        # CSRF failures carry Flask-WTF's English reason: show ours instead.
        if isinstance(exc, MethodNotAllowed):
            if not _found_with_any(exc.valid_methods or ()):
                return render_error(404)
            # RFC 9110: a 405 says which methods the address takes.
            return render_error(405, headers={"Allow": ", ".join(sorted(exc.valid_methods))})
        return render_error(exc.code or 500)

    @app.errorhandler(NotAllowed)
    def not_allowed(exc):
        return render_error(403, exc.message)

    @app.errorhandler(Exception)
    def unexpected(exc):
        # With its context: the route, the request's id (also on the page) and the signed-in user's.
        app.logger.exception("unhandled error on %s %s (endpoint %s, request %s, user %s)", request.method,
                             request.path, request.endpoint, current_request_id(), signed_in_user_id())
        return render_error(500)
