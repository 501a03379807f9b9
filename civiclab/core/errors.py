"""Domain errors and the error pages: a clear message, never a stack trace."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from civiclab.extensions import db


class DomainError(Exception):
    """A rule of the domain refused an action; the message is shown to the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The acting user may not do this (routes turn it into a 403)."""


def wants_json():
    if request.path.startswith("/api/"):
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


def api_error(status, message, code=None, fields=None):
    """The API's one error answer: JSON, never HTML, with a message in the reader's language."""
    body = {"error": {"code": code or API_CODES.get(status, "error"), "message": str(message),
                      "fields": {name: str(text) for name, text in (fields or {}).items()}}}
    return jsonify(body), status


def render_error(code, description=None):
    db.session.rollback()
    title = _titles().get(code, _("Errore"))
    message = description or _explanations().get(code, title)
    if request.path.startswith("/api/"):
        return api_error(code, description or (_("Risorsa non trovata.") if code == 404 else message))
    if wants_json():
        return jsonify(error=title, message=message, status=code), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(exc):
        # CSRF failures carry Flask-WTF's English reason: show ours instead.
        return render_error(exc.code or 500)

    @app.errorhandler(NotAllowed)
    def not_allowed(exc):
        return render_error(403, exc.message)

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(500)
