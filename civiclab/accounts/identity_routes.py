"""Pages of SPID and CIE: start the gateway's flow, take its answer, create or link the account."""
import time

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.accounts import bp, identity_services, oidc, services, sessions
from civiclab.accounts.forms import IdentityAccountForm, UnlinkIdentityForm
from civiclab.accounts.identities import IDENTITY_KINDS
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.urls import safe_next

PENDING_KEY = "oidc_pending"  # a verified person waiting for the privacy step (no fiscal number in clear)
PENDING_MAX_AGE = 900  # seconds the privacy step stays open after the return
KIND_NAMES = {"spid": "SPID", "cie": "CIE"}


def _refused(result, to="accounts.login"):
    """Back to the login page (or the profile): `attempt` flashed the reason; the log says more."""
    current_app.logger.warning("SPID/CIE sign-in refused: %s",
                               getattr(result.error, "reason", None) or result.error.message)
    return redirect(url_for(to, _anchor="my-identity") if to == "accounts.profile" else url_for(to))


def _sign_in(user, next_url):
    sessions.sign_in(user)
    session["lang"] = services.keep_language(user, session.get("lang"))
    return redirect(next_url or url_for("pages.home"))


# ---- signing in -------------------------------------------------------------------------

@bp.get("/accedi/spid", defaults={"kind": "spid"})
@bp.get("/accedi/cie", defaults={"kind": "cie"})
def identity_start(kind):
    """"Entra con SPID/CIE": to the gateway, with this flow's state, nonce and PKCE challenge."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("accounts.profile"))
    started = attempt(oidc.start, kind, "login", next_url)
    return redirect(started.value) if started else _refused(started)


@bp.get("/accedi/identita/ritorno")
def identity_return():
    """The gateway sends the person back here: check everything, then sign in, create or link."""
    verified = attempt(identity_services.verified_person, request.args)
    if not verified:
        return _refused(verified, to="accounts.profile" if _linking() else "accounts.login")
    assertion, person = verified.value
    if assertion.intent == "link":
        return _link(assertion, person)
    if current_user.is_authenticated:
        sessions.sign_out()  # somebody else's identity on this browser: the old sign-in ends
    result = attempt(identity_services.user_for, person)
    if not result:
        return _refused(result)
    if result.value is not None:
        return _sign_in(result.value, assertion.next_url)
    free = attempt(identity_services.check_email_free, person.email)
    if not free:
        return _refused(free)
    session[PENDING_KEY] = {**person.as_dict(), "next": assertion.next_url, "at": int(time.time())}
    return redirect(url_for("accounts.identity_new_account"))


def _linking():
    return current_user.is_authenticated and session.get("oidc_linking") == current_user.id


def _link(assertion, person):
    session.pop("oidc_linking", None)
    if not current_user.is_authenticated or current_user.id != assertion.user_id:
        flash(_("La sessione è cambiata durante il collegamento: accedi e riprova dal profilo."), "danger")
        current_app.logger.warning("SPID/CIE link refused: not the account that started it")
        return redirect(url_for("accounts.login"))
    result = attempt(identity_services.link_identity, current_user, person)
    if not result:
        return _refused(result, to="accounts.profile")
    flash(_("Identità digitale collegata: da ora puoi accedere anche con %(kind)s.",
            kind=KIND_NAMES[person.kind]), "success")
    return redirect(url_for("accounts.profile", _anchor="my-identity"))


def _pending():
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        session.pop(PENDING_KEY, None)
        return None
    return pending


@bp.route("/accedi/identita/nuovo-account", methods=["GET", "POST"])
@limit_writes("RATELIMIT_REGISTER")
def identity_new_account():
    """"Crea il tuo account": the privacy notice accepted, the name checked, then the account."""
    pending = _pending()
    if pending is None:
        flash(_("La conferma della tua identità è scaduta: accedi di nuovo con SPID o CIE."), "warning")
        return redirect(url_for("accounts.login"))
    person = identity_services.Person(**{k: v for k, v in pending.items() if k not in ("next", "at")})
    form = IdentityAccountForm(data=None if request.method == "POST" else {"display_name": person.display_name})
    if person.email:
        del form.email
    if form.validate_on_submit():
        result = attempt(identity_services.create_account, person, display_name=form.display_name.data,
                         email="" if person.email else form.email.data,
                         privacy_consent=form.privacy_consent.data,
                         locale=session.get("lang") or request.accept_languages.best_match(("it", "en")) or "it",
                         form=form, on_form=True)
        if result:
            session.pop(PENDING_KEY, None)
            flash(_("Benvenuto su CivicLab: il tuo account è pronto."), "success")
            if not result.value.is_confirmed:
                flash(_("Conferma il tuo indirizzo email per partecipare: trovi il link nella mail che ti "
                        "abbiamo inviato."), "warning")
            return _sign_in(result.value, pending.get("next"))
    return page("accounts/identity_new_account.html", form=form, person=person, kind_name=KIND_NAMES[person.kind])


# ---- linking from the profile -----------------------------------------------------------

@bp.post("/account/identita/collega/spid", defaults={"kind": "spid"})
@bp.post("/account/identita/collega/cie", defaults={"kind": "cie"})
@login_required
@limit_writes()
def identity_link(kind):
    """"Collega SPID/CIE": the same flow, its answer linked to the signed-in account."""
    if not ButtonForm().validate_on_submit() or kind not in IDENTITY_KINDS:
        abort(400)
    if not current_user.is_confirmed:
        flash(_("Conferma prima il tuo indirizzo email, poi collega SPID o CIE."), "danger")
        return redirect(url_for("accounts.profile"))
    started = attempt(oidc.start, kind, "link", user_id=current_user.id)
    if not started:
        return _refused(started, to="accounts.profile")
    session["oidc_linking"] = current_user.id
    return redirect(started.value)


@bp.post("/account/identita/scollega")
@login_required
@limit_writes("RATELIMIT_LOGIN")
def identity_unlink():
    form = UnlinkIdentityForm()
    if not form.validate_on_submit():
        flash(_("Scrivi la tua password per scollegare SPID o CIE."), "danger")
    elif attempt(identity_services.unlink_identity, current_user, form.password.data):
        flash(_("Identità digitale scollegata dal tuo account."), "success")
    return redirect(url_for("accounts.profile", _anchor="my-identity"))
