"""Forms of events: the event sheet, cancelling it, and the public list's filters."""
from datetime import UTC, datetime
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from civiclab.accounts.models import ParticipantType
from civiclab.core.kit import reason_field
from civiclab.core.time import ROME, to_rome

MAX_CAPACITY = 100_000
MAX_REMINDER_HOURS = 336  # two weeks


# ---- fields --------------------------------------------------------------------------------

class ItalianDateField(DateField):
    """A date from the browser's date picker (2025-07-17) or typed the Italian way (17/07/2025)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    YEARS = range(1900, 3000)  # beyond these, Rome's clock cannot be turned into UTC safely

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Data non valida: scrivila come 17/07/2025."))
        if self.data is not None and self.data.year not in self.YEARS:
            self.data = None
            raise ValueError(_l("Data fuori dall'intervallo ammesso (anni dal 1900 al 2999)."))


class ItalianTimeField(TimeField):
    """A time of day, 24-hour clock (18:30)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%H:%M", "%H.%M", "%H:%M:%S"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Ora non valida: scrivila come 18:30."))


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Scrivi un numero intero, ad esempio 30."))


class CheckboxesField(SelectMultipleField):
    """Several choices, each a checkbox (the template draws them inside a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def web_address(form, field):
    """Only web links: a javascript: or ftp: address is no way to join a meeting."""
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        raise StopValidation(_l("Il link deve iniziare con https:// (o http://)."))


# ---- time ----------------------------------------------------------------------------------

def rome_to_utc(day, at):
    """The UTC instant of a date and time on a clock in Rome; None if that time does not exist.

    On the night summer time starts, clocks jump from 02:00 to 03:00: 02:30 does not exist and
    is refused rather than silently moved. On the night it ends, 02:00-03:00 happens twice:
    the first (summer time) is taken.
    """
    local = datetime.combine(day, at, tzinfo=ROME)
    instant = local.astimezone(UTC)
    if instant.astimezone(ROME).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


# ---- the event sheet -----------------------------------------------------------------------

# The date-and-time pairs of the form: the service's field, then the form's date and time.
MOMENTS = (
    ("starts_at", "start_date", "start_time"),
    ("ends_at", "end_date", "end_time"),
    ("registration_opens_at", "opens_date", "opens_time"),
    ("registration_closes_at", "closes_date", "closes_time"),
)


class EventForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(_l("Il titolo è obbligatorio.")), Length(max=200)])
    description = TextAreaField(
        _l("Descrizione"), validators=[Optional(), Length(max=50_000)], render_kw={"rows": 10},
        description=_l("Puoi usare il Markdown: **grassetto**, *corsivo*, elenchi con «- » all'inizio della "
                       "riga, link come [testo](https://…). Una riga vuota separa i paragrafi."),
    )
    lab_id = SelectField(_l("Laboratorio"), coerce=int,
                         description=_l("Il laboratorio che organizza l'evento."))
    is_online = BooleanField(_l("Evento online"),
                             description=_l("Si partecipa con un link (videochiamata, diretta)."))
    online_url = URLField(
        _l("Link per partecipare"),
        validators=[Optional(), Length(max=500), web_address,
                    URL(message=_l("Il link non è valido: copia l'indirizzo completo, che inizia con https://."))],
        description=_l("Solo per gli eventi online. Lo vedono soltanto gli iscritti confermati e "
                       "chi gestisce l'evento."),
    )
    start_date = ItalianDateField(_l("Data di inizio"), validators=[InputRequired(_l("Indica la data di inizio."))])
    start_time = ItalianTimeField(_l("Ora di inizio"), validators=[InputRequired(_l("Indica l'ora di inizio."))])
    end_date = ItalianDateField(_l("Data di fine"), validators=[InputRequired(_l("Indica la data di fine."))])
    end_time = ItalianTimeField(_l("Ora di fine"), validators=[InputRequired(_l("Indica l'ora di fine."))])
    capacity = WholeNumberField(
        _l("Posti disponibili"),
        validators=[InputRequired(_l("Indica quanti posti ci sono.")),
                    NumberRange(min=1, max=MAX_CAPACITY,
                                message=_l("I posti devono essere almeno 1 (al massimo %(max)s).",
                                           max=f"{MAX_CAPACITY:,}".replace(",", ".")))],
    )
    opens_date = ItalianDateField(_l("Data di apertura delle iscrizioni"), validators=[Optional()],
                                  description=_l("Vuoto: alla pubblicazione dell'evento."))
    opens_time = ItalianTimeField(_l("Ora di apertura delle iscrizioni"), validators=[Optional()])
    closes_date = ItalianDateField(_l("Data di chiusura delle iscrizioni"), validators=[Optional()],
                                   description=_l("Vuoto: all'inizio dell'evento."))
    closes_time = ItalianTimeField(_l("Ora di chiusura delle iscrizioni"), validators=[Optional()])
    audience = CheckboxesField(
        _l("Chi può iscriversi"),
        choices=[SelectChoice(kind.value, kind.label) for kind in ParticipantType],
        description=_l("Nessuna casella selezionata: tutti."),
    )
    requires_identity = BooleanField(
        _l("Solo con SPID/CIE"),
        description=_l("Prenota solo chi ha un account con un'identità verificata (SPID o CIE); chi non ha "
                       "un account non può prenotare."),
    )
    max_seats_per_booking = WholeNumberField(
        _l("Posti massimi per prenotazione"), default=1,
        validators=[InputRequired(_l("Indica quanti posti può prenotare una persona.")),
                    NumberRange(min=1, max=MAX_CAPACITY, message=_l("Almeno 1 posto per prenotazione."))],
        description=_l("Più di 1 permette a scuole e organizzazioni di prenotare per un gruppo "
                       "(per esempio una classe)."),
    )
    reminder_hours_before = WholeNumberField(
        _l("Promemoria agli iscritti (ore prima dell'inizio)"), default=24,
        validators=[InputRequired(_l("Indica quante ore prima mandare il promemoria.")),
                    NumberRange(min=0, max=MAX_REMINDER_HOURS,
                                message=_l("Da 0 a %(max)s ore (due settimane).", max=MAX_REMINDER_HOURS))],
        description=_l("24 di solito: il giorno prima."),
    )

    # The service's field a domain error names -> the form field it is shown on.
    FIELD_FOR_ERROR: ClassVar[dict] = {name: date_field for name, date_field, _time in MOMENTS}

    def validate_max_seats_per_booking(self, field):
        if field.data and self.capacity.data and not self.capacity.errors and field.data > self.capacity.data:
            raise ValidationError(_l("Non può superare i posti disponibili."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.is_online.data and not (self.online_url.data or "").strip() and not self.online_url.errors:
            self.online_url.errors.append(_l("Un evento online ha bisogno del link per partecipare."))
            valid = False
        self.moments = {}
        for name, date_name, time_name in MOMENTS:
            day, at = self[date_name], self[time_name]
            if day.errors or at.errors:
                continue
            if day.data and not at.data:
                at.errors.append(_l("Indica anche l'ora."))
            elif at.data and not day.data:
                day.errors.append(_l("Indica anche la data."))
            elif day.data and at.data:
                instant = rome_to_utc(day.data, at.data)
                if instant is None:
                    at.errors.append(_l("Quest'ora non esiste quel giorno: è la notte del passaggio "
                                        "all'ora legale (dalle 2:00 alle 3:00)."))
                else:
                    self.moments[name] = instant
                    continue
            else:
                self.moments[name] = None
                continue
            valid = False
        return valid

    def to_values(self):
        """What create_event / update_event take (after validate())."""
        online = bool(self.is_online.data)
        values = {
            "title": self.title.data.strip(),
            "description": self.description.data or "",
            "lab_id": self.lab_id.data,
            "is_online": online,
            "online_url": (self.online_url.data or "").strip() if online else "",
            "capacity": self.capacity.data,
            "max_seats_per_booking": self.max_seats_per_booking.data,
            "reminder_hours_before": self.reminder_hours_before.data,
            "requires_identity": bool(self.requires_identity.data),
        }
        values.update(self.moments)
        return values

    def audience_types(self):
        return [ParticipantType(value) for value in self.audience.data or []]

    @staticmethod
    def data_from(event):
        """The form's values for an existing event, dates and times on Rome's clock."""
        data = {name: getattr(event, name) for name in (
            "title", "description", "lab_id", "is_online", "online_url", "capacity",
            "max_seats_per_booking", "reminder_hours_before", "requires_identity")}
        for name, date_name, time_name in MOMENTS:
            local = to_rome(getattr(event, name))
            data[date_name] = local.date() if local else None
            data[time_name] = local.time().replace(second=0, microsecond=0) if local else None
        data["audience"] = sorted(kind.value for kind in event.audience)
        return data


class CancelEventForm(FlaskForm):
    reason = reason_field(
        _l("Motivo dell'annullamento"), rows=4,
        description=_l("Lo leggono gli iscritti nel messaggio che li avvisa, e chiunque apra la "
                       "pagina dell'evento."),
    )


class EventFilterForm(FlaskForm):
    """The public list's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Cerca nel titolo o nella descrizione"), validators=[Optional(), Length(max=100)])
    citta = SelectField(_l("Città"), validators=[Optional()], validate_choice=False)
    laboratorio = SelectField(_l("Laboratorio"), validators=[Optional()], validate_choice=False)
    dal = ItalianDateField(_l("Dal giorno"), validators=[Optional()])
    al = ItalianDateField(_l("Al giorno"), validators=[Optional()])
    pubblico = SelectField(_l("Aperti a"), validators=[Optional()], validate_choice=False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pubblico.choices = [SelectChoice("", _l("Tutti i tipi di partecipanti"))] + [
            SelectChoice(kind.value, kind.label) for kind in ParticipantType]

    def participant_type(self):
        try:
            return ParticipantType(self.pubblico.data) if self.pubblico.data else None
        except ValueError:
            return None
