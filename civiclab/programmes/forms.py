"""Forms of programmes: the project sheet, the project list's filters, and for administrators a
programme, an axis and a city's budget per axis."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext_l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from civiclab.core.money import AmountError, cents_to_input, format_euro, parse_euro
from civiclab.programmes.models import CUP_PATTERN
from civiclab.programmes.services import (
    CODE_PATTERN,
    MAX_PLAN_CENTS,
    amounts_problem,
    normalise_cup,
)

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
    # The amounts of a project an import flagged "importi incoerenti" (set by the edit route): sent
    # back unchanged they pass, kept as published; changed, they must be in order.
    inconsistent_amounts = None

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

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if all(self[name].data is not None and not self[name].errors for name in AMOUNT_FIELDS):
            amounts = {f"{name}_cents": self[name].data for name in AMOUNT_FIELDS}
            problem = amounts_problem(amounts) if amounts != self.inconsistent_amounts else None
            if problem is not None:
                field, message = problem
                self[field].errors.append(str(message))  # escaped like the other errors
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


# ---- administration: programmes, axes, a city's budget -------------------------------------

class ProgrammeForm(FlaskForm):
    code = StringField(_l("Codice del programma"), validators=[DataRequired(), Length(max=40)],
                       description=_l("Ad esempio 2014IT16M2OP004."))
    slug = StringField(_l("Indirizzo breve"), validators=[Optional(), Length(max=80)],
                       description=_l("Ad esempio pon-metro-2014-2020. Lascia vuoto per ricavarlo dal nome."))
    name = StringField(_l("Nome"), validators=[DataRequired(), Length(max=200)])
    period = StringField(_l("Periodo di programmazione"), validators=[DataRequired(), Length(max=20)],
                         description=_l("Ad esempio 2014-2020."))
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 6})

    def to_data(self):
        return {name: self[name].data for name in ("code", "slug", "name", "period", "description")}


class AxisForm(FlaskForm):
    number = IntegerField(_l("Numero dell'asse"), validators=[InputRequired(), NumberRange(min=1, max=99)],
                          description=_l("Unico nel programma, ad esempio 3."))
    name = StringField(_l("Nome"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 4})

    def to_data(self):
        return {name: self[name].data for name in ("number", "name", "description")}


class BudgetField(EuroField):
    """A plan's amount: euro the Italian way, at most MAX_PLAN_CENTS; empty means zero."""

    def process_formdata(self, valuelist):
        if valuelist and len(valuelist[0]) > 40:  # no amount is that long; int() of it is costly
            self.data = None
            raise ValueError(_l("Importo non valido: scrivilo come 412.248,84."))
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.data is not None and self.data > MAX_PLAN_CENTS:
            # str(): escaped on the page like the other errors (a lazy string would not be)
            raise ValidationError(str(_l("L'importo può essere al massimo %(max)s.", max=format_euro(MAX_PLAN_CENTS))))


class PlanForm(FlaskForm):
    total = BudgetField(_l("Totale del piano (€)"), validators=[InputRequired()],
                        description=_l("Ad esempio 40.000.000,00."))

    @classmethod
    def for_axes(cls, axes, plan=None, **kwargs):
        """The form with one amount per axis of the programme (`axis_<id>`), filled from `plan`."""
        # gettext, not a lazy string: a lazy string is not escaped on the page, and the name is typed
        fields = {f"axis_{axis.id}": BudgetField(gettext("Asse %(number)d. %(name)s (€)", number=axis.number,
                                                         name=axis.name))
                  for axis in axes}
        form_class = type("CityPlanForm", (cls,), fields)
        data = {}
        if plan is not None:
            data["total"] = plan.total_cents
            data |= {f"axis_{budget.axis_id}": budget.amount_cents for budget in plan.budgets}
        form = form_class(data=data, **kwargs)
        form.axis_fields = [form[f"axis_{axis.id}"] for axis in axes]
        return form

    def amounts(self):
        return {int(field.name.removeprefix("axis_")): field.data for field in self.axis_fields}
