"""Forms of accounts and organisations."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from civiclab.accounts.models import ParticipantType
from civiclab.accounts.passwords import MAX_LENGTH, password_problem

EXISTING, NEW = "existing", "new"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_field(label=None):
    return EmailField(label or _l("Indirizzo email"), filters=[_strip], validators=[
        InputRequired(_l("L'indirizzo email è obbligatorio.")),
        Email(_l("Scrivi un indirizzo email valido, come nome@esempio.it.")),
        Length(max=254),
    ])


def _strong_password(email_field=None, name_field=None):
    def check(form, field):
        email = form[email_field].data if email_field else getattr(form, "user_email", "")
        name = form[name_field].data if name_field else getattr(form, "user_name", "")
        problem = password_problem(field.data, email=email or "", display_name=name or "")
        if problem:
            raise ValidationError(problem)

    return check


class RegistrationForm(FlaskForm):
    email = _email_field()
    display_name = StringField(_l("Nome visualizzato"), description=_l(
        "Il nome che gli altri vedono accanto ai tuoi contributi."), validators=[
        InputRequired(_l("Il nome visualizzato è obbligatorio.")), Length(min=2, max=80)])
    password = PasswordField(_l("Password"), description=_l(
        "Almeno 10 caratteri, non solo numeri; evita password comuni o uguali al tuo nome."), validators=[
        InputRequired(_l("La password è obbligatoria.")),
        _strong_password("email", "display_name")])
    password_confirm = PasswordField(_l("Ripeti la password"), validators=[
        InputRequired(_l("Ripeti la password.")),
        EqualTo("password", _l("Le due password non coincidono."))])
    participant_type = RadioField(_l("Partecipo come"), default=ParticipantType.CITTADINO.value, validators=[
        InputRequired(_l("Scegli come partecipi."))])
    organisation_mode = RadioField(_l("È già registrata su CivicLab?"), default=EXISTING, choices=[
        SelectChoice(EXISTING, _l("Sì: la scelgo dall'elenco e chiedo di aderire")),
        SelectChoice(NEW, _l("No: la registro io e ne sarò il primo membro")),
    ], validators=[Optional()])
    organisation = SelectField(_l("Organizzazione esistente"), coerce=str, validate_choice=False,
                               description=_l("Un membro attivo o il personale del Comune approverà la "
                                              "tua adesione."))
    new_organisation_name = StringField(_l("Nome della nuova organizzazione"), description=_l(
        "Il personale del Comune verifica le nuove organizzazioni: fino ad allora partecipi come singola "
        "persona (un posto per evento, niente eventi riservati)."), validators=[
        Optional(), Length(min=2, max=160)])
    new_organisation_city = StringField(_l("Comune della nuova organizzazione"), validators=[
        Optional(), Length(max=120)])
    privacy_consent = BooleanField(_l("Ho letto l'informativa sulla privacy e acconsento al trattamento "
                                      "dei miei dati"), validators=[
        InputRequired(_l("Per registrarti devi accettare l'informativa sulla privacy."))])
    # A honeypot: people never see it (moved off-screen, hidden from assistive technology and the
    # keyboard), form-filling bots do; a filled one refuses the registration.
    website = StringField(_l("Lascia vuoto questo campo"))

    def __init__(self, organisations=(), **kwargs):
        super().__init__(**kwargs)
        self.participant_type.choices = [SelectChoice(t.value, t.label) for t in ParticipantType]
        self.organisation.choices = [SelectChoice("", _l("— Scegli —"))] + [
            SelectChoice(str(org.id), org.name + (f" ({org.city_name})" if org.city_name else ""),
                         optgroup=str(org.kind.label))
            for org in organisations
        ]
        self._organisations = {str(org.id): org for org in organisations}

    @property
    def chosen_type(self):
        try:
            return ParticipantType(self.participant_type.data)
        except ValueError:
            return None

    @property
    def wants_new_organisation(self):
        """Chose to register a new one, or typed its name and picked none from the list."""
        if self.organisation_mode.data == NEW:
            return True
        typed = bool((self.new_organisation_name.data or "").strip())
        return typed and not self.organisation.data

    @property
    def chosen_organisation(self):
        """The existing organisation picked, when the registrant chose to join one."""
        if self.wants_new_organisation:
            return None
        return self._organisations.get(self.organisation.data or "")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        kind = self.chosen_type
        if kind is None or not kind.needs_organisation:
            return valid
        if self.wants_new_organisation:
            if not (self.new_organisation_name.data or "").strip():
                self.new_organisation_name.errors.append(_l("Scrivi il nome della tua organizzazione."))
                return False
        else:
            org = self.chosen_organisation
            if org is None:
                self.organisation.errors.append(_l(
                    "Scegli la tua organizzazione dall'elenco, oppure registrane una nuova."))
                return False
            if org.kind is not kind:
                self.organisation.errors.append(_l(
                    "L'organizzazione scelta non è del tipo che hai indicato."))
                return False
        return valid


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("La password è obbligatoria."))])
    remember = BooleanField(_l("Ricordami su questo dispositivo"))


class EmailOnlyForm(FlaskForm):
    email = _email_field()


class NewPasswordForm(FlaskForm):
    """Reset: the user's email and name come from the link, so the policy can check them."""
    password = PasswordField(_l("Nuova password"), validators=[
        InputRequired(_l("La password è obbligatoria.")), Length(max=MAX_LENGTH), _strong_password()])
    password_confirm = PasswordField(_l("Ripeti la nuova password"), validators=[
        InputRequired(_l("Ripeti la password.")), EqualTo("password", _l("Le due password non coincidono."))])

    def __init__(self, user, **kwargs):
        super().__init__(**kwargs)
        self.user_email, self.user_name = user.email, user.display_name


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Password attuale"), validators=[
        InputRequired(_l("Scrivi la password attuale."))])
    new_password = PasswordField(_l("Nuova password"), validators=[
        InputRequired(_l("La password è obbligatoria.")), _strong_password()])
    new_password_confirm = PasswordField(_l("Ripeti la nuova password"), validators=[
        InputRequired(_l("Ripeti la password.")),
        EqualTo("new_password", _l("Le due password non coincidono."))])

    def __init__(self, user, **kwargs):
        super().__init__(**kwargs)
        self.user_email, self.user_name = user.email, user.display_name


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Nome visualizzato"), validators=[
        InputRequired(_l("Il nome visualizzato è obbligatorio.")), Length(min=2, max=80)])
    bio = TextAreaField(_l("Presentazione"), description=_l("Testo semplice, al massimo 2000 caratteri."),
                        validators=[Optional(), Length(max=2000)])
    locale = SelectField(_l("Lingua"), choices=[SelectChoice("it", "Italiano"), SelectChoice("en", "English")])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("La tua password, per conferma"), validators=[
        InputRequired(_l("Scrivi la tua password per confermare."))])


class OrganisationSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: nothing changes

    q = StringField(_l("Nome"), validators=[Optional(), Length(max=160)])
    tipo = SelectField(_l("Tipo"), validators=[Optional()])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tipo.choices = [SelectChoice("", _l("Tutti i tipi"))] + [
            SelectChoice(kind.value, kind.label) for kind in ParticipantType.organisation_kinds()]

    @property
    def kind(self):
        try:
            return ParticipantType(self.tipo.data) if self.tipo.data else None
        except ValueError:
            return None


class VerificationForm(FlaskForm):
    """Verify an organisation or refuse it: the pressed button's `decision` says which; a refusal
    needs its reason."""

    reason = TextAreaField(_l("Motivo (obbligatorio per rifiutare)"), render_kw={"rows": 2}, description=_l(
        "Lo legge chi ha registrato l'organizzazione: per esempio «Non troviamo questa scuola "
        "nell'anagrafe del Ministero»."), validators=[Optional(), Length(max=1000)])


class IdentityAccountForm(FlaskForm):
    """The one step after a first SPID/CIE sign-in: the name others see, the privacy notice, and
    an address only when the gateway gave none."""

    display_name = StringField(_l("Nome visualizzato"), description=_l(
        "Il nome che gli altri vedono accanto ai tuoi contributi."), validators=[
        InputRequired(_l("Il nome visualizzato è obbligatorio.")), Length(min=2, max=80)])
    email = _email_field()
    privacy_consent = BooleanField(_l("Ho letto l'informativa sulla privacy e acconsento al trattamento "
                                      "dei miei dati"), validators=[
        InputRequired(_l("Per creare l'account devi accettare l'informativa sulla privacy."))])


class UnlinkIdentityForm(FlaskForm):
    """Unlinking SPID/CIE from the profile: the account's password confirms it."""

    password = PasswordField(_l("Password"), validators=[InputRequired(_l("La password è obbligatoria."))])
