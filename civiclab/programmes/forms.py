"""Forms of programmes: the project sheet, and the project list's filters."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext_l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from civiclab.core.money import AmountError, cents_to_input, parse_euro
from civiclab.programmes.models import CUP_PATTERN
from civiclab.programmes.services import CODE_PATTERN, amounts_problem, normalise_cup

AMOUNT_FIELDS = ("programmato", "ammesso", "vincolante", "erogato")


class EuroField(StringField):
    """An amount typed the Italian way ('412.248,84'); data in cents; empty means zero."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = 0
            return
        try:
            self.data = parse_euro(text)
        except AmountError:
            self.data = None
            raise ValueError(_l("Importo non valido: scrivilo come 412.248,84."))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return cents_to_input(self.data)


class ProjectForm(FlaskForm):
    code = StringField(
        _l("Codice progetto"),
        validators=[DataRequired(), Regexp(CODE_PATTERN, message=_l(
            "Il codice può contenere solo lettere, cifre, punti, trattini e trattini bassi "
            "(massimo 40 caratteri), ad esempio BO3.3.1.b."))],
        description=_l("Ad esempio BO3.3.1.b."),
    )
    title = StringField(_l("Titolo"), validators=[DataRequired(), Length(max=300)])
    action_id = SelectField(_l("Azione"), coerce=int,
                            description=_l("Programma, asse e azione che finanziano il progetto."))
    cup = StringField(
        _l("Codice Unico di Progetto (CUP)"),
        filters=[normalise_cup],
        validators=[Optional(), Regexp(CUP_PATTERN, message=_l(
            "Il CUP non è valido: sono 15 caratteri (lettera, due cifre, lettera e 11 lettere o "
            "cifre), ad esempio F39G16000350007."))],
        description=_l("15 caratteri, ad esempio F39G16000350007."),
    )
    rup = StringField(_l("Responsabile unico del procedimento (RUP)"), validators=[Optional(), Length(max=160)])
    implementing_body = StringField(_l("Soggetto attuatore"), validators=[Optional(), Length(max=200)],
                                    description=_l("Ad esempio Comune di Bologna."))
    start_date = DateField(_l("Data di inizio"), validators=[Optional()])
    end_date = DateField(_l("Data di fine"), validators=[Optional()])
    summary = TextAreaField(_l("Sintesi"), validators=[Optional(), Length(max=2000)],
                            render_kw={"rows": 3},
                            description=_l("Una o due frasi mostrate negli elenchi."))
    description = TextAreaField(_l("Descrizione dell'intervento"), validators=[Optional(), Length(max=50000)],
                                render_kw={"rows": 14},
                                description=_l("Testo semplice; ogni riga è un paragrafo."))
    programmato = EuroField(_l("Importo programmato (€)"), description=_l("Ad esempio 412.248,84."))
    ammesso = EuroField(_l("Importo ammesso a finanziamento (€)"))
    vincolante = EuroField(_l("Importo giuridicamente vincolante (€)"))
    erogato = EuroField(_l("Importo erogato (€)"))
    published = BooleanField(_l("Pubblicato: visibile a tutti"), default=True)

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("La data di fine non può precedere la data di inizio."))

    # The amounts an import flagged out of order, when editing such a project: kept unchanged,
    # they are no error (services._keeps_flagged_amounts).
    flagged_amounts = None

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if all(self[name].data is not None and not self[name].errors for name in AMOUNT_FIELDS):
            amounts = {f"{name}_cents": self[name].data for name in AMOUNT_FIELDS}
            problem = amounts_problem(amounts)
            if problem is not None and amounts != self.flagged_amounts:
                field, message = problem
                self[field].errors.append(message)
                valid = False
        return valid

    def to_data(self):
        data = {name: self[name].data for name in (
            "code", "title", "action_id", "cup", "rup", "implementing_body", "start_date",
            "end_date", "summary", "description", "published")}
        data.update({f"{name}_cents": self[name].data for name in AMOUNT_FIELDS})
        return data

    @staticmethod
    def data_from(project):
        data = {name: getattr(project, name) for name in (
            "code", "title", "action_id", "cup", "rup", "implementing_body", "start_date",
            "end_date", "summary", "description", "published")}
        data.update({name: getattr(project, f"{name}_cents") for name in AMOUNT_FIELDS})
        return data


class ProjectFilterForm(FlaskForm):
    """The project list's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Cerca per titolo, codice o CUP"), validators=[Optional(), Length(max=100)])
    citta = SelectField(pgettext_l("una città", "Città"), validators=[Optional()], validate_choice=False)
    asse = SelectField(_l("Asse"), validators=[Optional()], validate_choice=False)
    azione = SelectField(_l("Azione"), validators=[Optional()], validate_choice=False)
