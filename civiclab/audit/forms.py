"""The log's filters: a GET form (no CSRF token), every value checked before it reaches a query."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

MAX_ID = 2**63 - 1  # what a BIGINT holds


class ItalianDate(DateField):
    """A date from the date picker (2026-12-04) or typed the Italian way (04/12/2026)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Data non valida: scrivila come 17/07/2025.")) from None
        if self.data is not None and not 1900 <= self.data.year <= 2999:
            self.data = None
            raise ValueError(_l("Data fuori dall'intervallo ammesso (anni dal 1900 al 2999)."))


def _an_id(form, field):
    value = (field.data or "").strip()
    if value and (not value.isdigit() or not 1 <= int(value) <= MAX_ID):
        raise ValidationError(_l("Scrivi un numero intero positivo."))


def _a_name(form, field):
    if "\0" in (field.data or ""):
        raise ValidationError(_l("Il testo contiene caratteri non validi."))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    azione = SelectField(_l("Azione"), validators=[Optional()], validate_choice=True)
    persona = StringField(_l("Persona"), validators=[Optional(), Length(max=254), _a_name], description=_l(
        "Parte del nome (o dell'email, per gli amministratori), oppure il numero dell'account."))
    citta = SelectField(_l("Città"), validators=[Optional()], validate_choice=True)
    oggetto = SelectField(_l("Tipo di oggetto"), validators=[Optional()], validate_choice=True)
    numero = StringField(_l("Numero dell'oggetto"), validators=[Optional(), Length(max=20), _an_id])
    dal = ItalianDate(_l("Dal giorno"), validators=[Optional()])
    al = ItalianDate(_l("Al giorno"), validators=[Optional()])

    def validate_al(self, field):
        if field.data and self.dal.data and field.data < self.dal.data:
            raise ValidationError(_l("L'ultimo giorno viene prima del primo."))

