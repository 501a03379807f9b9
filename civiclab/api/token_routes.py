"""The token pages (`/account/token-api`): a person's personal access tokens for the API, listed,
made and revoked. HTML pages of the site, signed in, in the site's language.

They are the site's pages, on a blueprint of their own (`api_tokens`): the API blueprint's CSRF
exemption and JSON errors do not reach them.

The secret is shown once. Making a token redirects (so the form's one-time key sends a second
copy of the same POST to the list, core/form_keys.py) and leaves the secret in the session for
the next page only: the list pops it when it draws it. A reload, the Back button (signed-in pages
are `no-store`, so it reloads) or the repeated form find it gone. For that moment the secret is in
the signed session cookie, next to the sign-in key that cookie always carries (which can do more
on the site than any token through the API).
"""
from flask import Blueprint, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length

from civiclab.api import token_services as services
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page

pages = Blueprint("api_tokens", __name__)
SHOWN_ONCE = "api_token_shown"  # the session entry that carries a new secret to the next page
LIFETIME_CHOICES = (("30", _l("30 giorni")), ("90", _l("90 giorni")), ("365", _l("Un anno")),
                    ("never", _l("Senza scadenza (finché non lo revochi)")))


class TokenForm(FlaskForm):
    name = StringField(_l("Nome del token"), description=_l(
        "Per riconoscerlo: per esempio lo script o l'applicazione che lo usa."), validators=[
        InputRequired(_l("Dai un nome al token.")),
        Length(max=services.NAME_MAX, message=_l("Il nome può avere al massimo %(max)d caratteri."))])
    scopes = RadioField(_l("Che cosa può fare"), default="read", choices=[
        SelectChoice("read", _l("Solo leggere")),
        SelectChoice("read write", _l("Leggere e scrivere a tuo nome (proporre, commentare, prenotare…)")),
    ], validators=[InputRequired(_l("Scegli che cosa può fare il token."))])
    lifetime = RadioField(_l("Scadenza"), default="90",
                          choices=[SelectChoice(value, label) for value, label in LIFETIME_CHOICES],
                          validators=[InputRequired(_l("Scegli per quanto tempo vale il token."))])

    def lifetime_days(self):
        return None if self.lifetime.data == "never" else int(self.lifetime.data)


def _shown_once():
    """The secret made by the last POST, if it is for this person: taken out of the session."""
    entry = session.pop(SHOWN_ONCE, None)
    if not entry or entry.get("user") != current_user.id:
        return None
    return entry


def _tokens_page(form):
    tokens = services.tokens_of(current_user)
    new = _shown_once()
    new_token = next((t for t in tokens if new and t.id == new["id"] and t.is_live()), None)
    return page("api/tokens.html", form=form, tokens=tokens, new_token=new_token,
                new_secret=new["secret"] if new_token else None, refusal=services.refusal(current_user),
                max_live=services.MAX_LIVE)


@pages.get("/account/token-api")
@login_required
def tokens():
    return _tokens_page(TokenForm())


@pages.post("/account/token-api/nuovo")
@login_required
@limit_writes()
def create():
    form = TokenForm()
    done = form.validate_on_submit() and attempt(
        services.create_token, current_user, form.name.data, form.scopes.data, form.lifetime_days(),
        form=form, on_form=True)
    if done:
        token, secret = done.value
        session[SHOWN_ONCE] = {"id": token.id, "user": current_user.id, "secret": secret}
        flash(_("Token «%(name)s» creato.", name=token.name), "success")
        return redirect(url_for("api_tokens.tokens", _anchor="new-token"))
    return _tokens_page(form)


@pages.route("/account/token-api/<id:token_id>/revoca", methods=["GET", "POST"])
@login_required
@limit_writes()
def revoke(token_id):
    """GET asks for confirmation; the POST revokes."""
    token = services.load_token(token_id, for_="revoke")
    if token.revoked_at is not None:
        flash(_("Il token «%(name)s» era già revocato.", name=token.name), "info")
        return redirect(url_for("api_tokens.tokens"))
    form = ButtonForm()
    if form.validate_on_submit() and attempt(services.revoke_token, current_user, token):
        flash(_("Token «%(name)s» revocato: chi lo usa non può più accedere all'API.", name=token.name), "success")
        return redirect(url_for("api_tokens.tokens"))
    return page("api/token_revoke.html", form=form, token=token)


def register(app):
    app.register_blueprint(pages)
