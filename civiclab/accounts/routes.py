"""Pages of accounts: register, confirm, sign in and out, passwords, profile, export, deletion."""
import hashlib
import json

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from civiclab.accounts import bp, oidc, organisations, services, sessions
from civiclab.accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    EmailOnlyForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegistrationForm,
    UnlinkIdentityForm,
)
from civiclab.accounts.queries import load_session
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.urls import safe_next


@bp.errorhandler(services.LinkProblem)
def link_problem(problem):
    """A confirmation or reset link that cannot be used: why, and where to go next."""
    return render_template("accounts/link_problem.html", message=problem.message, purpose=problem.purpose), 400


# ---- registration and confirmation ---------------------------------------------------------

@bp.route("/account/registrati", methods=["GET", "POST"])
@limit_writes("RATELIMIT_REGISTER")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = RegistrationForm(organisations=organisations.organisations_for_registration())
    if not form.is_submitted() and request.args.get("email"):
        # A guest's mail links here with their address: their bookings join the new account.
        form.email.data = request.args["email"].strip()[:254]
    if form.is_submitted() and form.website.data:
        # A bot filled the honeypot: refuse without saying why, create nothing, send nothing.
        form.form_errors.append(_("Non è stato possibile completare la registrazione. Controlla i dati e riprova."))
        return render_template("accounts/register.html", form=form), 422
    is_new = form.wants_new_organisation
    if form.validate_on_submit() and attempt(
        services.register,
        email=form.email.data,
        display_name=form.display_name.data,
        password=form.password.data,
        participant_type=form.chosen_type,
        privacy_consent=form.privacy_consent.data,
        organisation=None if is_new else form.chosen_organisation,
        new_organisation_name=form.new_organisation_name.data if is_new else "",
        new_organisation_city=form.new_organisation_city.data if is_new else "",
        locale=session.get("lang") or request.accept_languages.best_match(("it", "en")) or "it",
        form=form, on_form=True,
    ):
        # The same answer whether the address was new or already registered.
        return redirect(url_for("accounts.registered"))
    return page("accounts/register.html", form=form)


@bp.get("/account/registrati/controlla-email")
def registered():
    return render_template("accounts/registered.html")


@bp.get("/account/conferma/<token>")
def confirm(token):
    user = services.confirm_email(token)  # a LinkProblem: link_problem's page (400)
    return render_template("accounts/confirmed.html", user=user)


@bp.post("/account/conferma/invia-di-nuovo")
@login_required
@limit_writes("RATELIMIT_REGISTER")
def resend_confirmation():
    if services.resend_confirmation(current_user):
        flash(_("Ti abbiamo inviato un nuovo link di conferma a %(email)s.", email=current_user.email),
              "success")
    else:
        flash(_("Il tuo indirizzo email è già confermato."), "info")
    return redirect(url_for("accounts.profile"))


# ---- signing in and out -------------------------------------------------------------------

def _account_signing_in():
    """The account a sign-in names (hashed: rate-limit keys need not hold addresses), so guesses
    at one password are counted together from wherever they come."""
    email = services.normalise_email(request.form.get("email"))
    return "sign-in:" + hashlib.sha256(email.encode()).hexdigest()


@bp.route("/account/accedi", methods=["GET", "POST"])
@limit_writes("RATELIMIT_LOGIN", per=get_remote_address, failures_only=True)
@limit_writes("RATELIMIT_LOGIN_ACCOUNT", per=_account_signing_in, failures_only=True)
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("accounts.profile"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            chosen_language = session.get("lang")
            sessions.sign_in(user, remember=form.remember.data)
            # A language the visitor chose before signing in stays, and becomes the account's.
            session["lang"] = services.keep_language(user, chosen_language)
            if not user.is_confirmed:
                flash(_("Conferma il tuo indirizzo email per partecipare: trovi il link nella mail che ti "
                        "abbiamo inviato."), "warning")
            return redirect(next_url or url_for("pages.home"))
        # The same words whether the address is unknown or the password wrong.
        form.form_errors.append(_("Email o password non corretti."))
    return page("accounts/login.html", form=form, next_url=next_url, identity_kinds=oidc.enabled_kinds())


@bp.route("/account/esci", methods=["GET", "POST"])
def logout():
    """GET asks for confirmation; only a POST with its CSRF token signs out."""
    form = ButtonForm()
    if not current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    if form.validate_on_submit():
        sessions.sign_out()  # the session ends on the server: copies of its cookies stop working
        flash(_("Hai chiuso la sessione di CivicLab."), "info")
        return redirect(url_for("pages.home"))
    return render_template("accounts/logout.html", form=form)


# ---- passwords ----------------------------------------------------------------------------

@bp.route("/account/password-dimenticata", methods=["GET", "POST"])
@limit_writes("RATELIMIT_REGISTER")
def reset_request():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return redirect(url_for("accounts.reset_sent"))
    return page("accounts/reset_request.html", form=form)


@bp.get("/account/password-dimenticata/inviata")
def reset_sent():
    return render_template("accounts/reset_sent.html")


@bp.route("/account/nuova-password/<token>", methods=["GET", "POST"])
@limit_writes("RATELIMIT_LOGIN")
def reset(token):
    user = services.user_for_reset_token(token)  # a LinkProblem: link_problem's page (400)
    form = NewPasswordForm(user)
    if form.validate_on_submit() and attempt(services.reset_password, token, form.password.data,
                                             form=form, on_form=True):
        sessions.sign_out()
        flash(_("Password aggiornata: ora puoi accedere con la nuova password."), "success")
        return redirect(url_for("accounts.login"))
    return page("accounts/reset.html", form=form, token=token)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limit_writes("RATELIMIT_LOGIN")
def change_password():
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit() and attempt(services.change_password, current_user, form.current_password.data,
                                             form.new_password.data, form=form, on_form=True):
        flash(_("Password cambiata. Le altre sessioni aperte sono state chiuse."), "success")
        return redirect(url_for("accounts.profile"))
    return page("accounts/change_password.html", form=form)


# ---- profile, export, deletion ------------------------------------------------------------

@bp.get("/account/profilo")
@login_required
def profile():
    return render_template(
        "accounts/profile.html",
        user=current_user,
        memberships=organisations.user_memberships(current_user),
        sessions=sessions.live_sessions(current_user),
        current_session=current_user.current_session,
        action_form=ButtonForm(),
        identity_kinds=oidc.enabled_kinds(),
        unlink_form=UnlinkIdentityForm(),
    )


@bp.post("/account/sessioni/<id:session_id>/esci")
@login_required
def end_session(session_id):
    """End one sign-in session of one's own (this device's too: then this is a sign-out)."""
    user_session = load_session(session_id, for_="end")
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if user_session.id == current_user.current_session.id:
        sessions.sign_out()
        flash(_("Hai chiuso la sessione di CivicLab."), "info")
        return redirect(url_for("pages.home"))
    sessions.end_session(current_user, user_session)
    flash(_("Sessione chiusa: quel dispositivo dovrà accedere di nuovo."), "success")
    return redirect(url_for("accounts.profile", _anchor="my-sessions"))


@bp.post("/account/sessioni/esci-ovunque")
@login_required
def end_other_sessions():
    """"Esci da tutti i dispositivi": every session but this one ends."""
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    ended = sessions.end_other_sessions(current_user)
    flash(ngettext("Chiusa %(num)d sessione su altri dispositivi.",
                   "Chiuse %(num)d sessioni su altri dispositivi.", ended) if ended
          else _("Non c'erano altre sessioni aperte."), "success")
    return redirect(url_for("accounts.profile", _anchor="my-sessions"))


@bp.route("/account/profilo/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def edit_profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit() and attempt(services.update_profile, current_user, form.display_name.data,
                                             form.bio.data, form.locale.data, form=form, on_form=True):
        session["lang"] = current_user.locale
        flash(_("Profilo aggiornato."), "success")
        return redirect(url_for("accounts.profile"))
    return page("accounts/edit_profile.html", form=form)


@bp.get("/account/i-miei-dati.json")
@login_required
def export():
    data = services.export_user_data(current_user)
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="civiclab-i-miei-dati.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/elimina", methods=["GET", "POST"])
@login_required
@limit_writes("RATELIMIT_LOGIN")
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit() and attempt(services.delete_account, current_user, form.password.data,
                                             form=form, on_form=True):
        sessions.sign_out()
        flash(_("Il tuo account è stato eliminato. Grazie per aver partecipato."), "info")
        return redirect(url_for("pages.home"))
    return page("accounts/delete.html", form=form)
