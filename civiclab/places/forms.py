"""Forms of places: a lab's and a city's sheet, and appointing staff and facilitators by email."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError


class CoordinateField(StringField):
    """A decimal degree typed either way ('44,4949' or '44.4949'); None when left empty."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        if not text:
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Scrivi un numero decimale, ad esempio 44,4949."))
        if not value.is_finite():
            raise ValueError(_l("Scrivi un numero decimale, ad esempio 44,4949."))
        # A number of 1000 or more is no coordinate: kept as typed for the range check to refuse,
        # as quantizing 1e309 (or a thousand digits) overflows Decimal's precision.
        too_big = value.adjusted() >= 3
        self.data = value if too_big else value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data).replace(".", ",")


def _in_range(low, high, message):
    def check(form, field):
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(message)
    return check


class LabForm(FlaskForm):
    name = StringField(_l("Nome del laboratorio"), validators=[DataRequired(), Length(max=160)])
    venue = StringField(_l("Sede"), validators=[Optional(), Length(max=160)],
                        description=_l("Il luogo che ospita il laboratorio, ad esempio Sala Borsa."))
    theme = StringField(_l("Tema"), validators=[Optional(), Length(max=240)])
    address = StringField(_l("Indirizzo"), validators=[Optional(), Length(max=240)])
    latitude = CoordinateField(
        _l("Latitudine"),
        validators=[_in_range(-90, 90, _l("La latitudine deve essere compresa tra -90 e 90."))],
        description=_l("In gradi decimali, ad esempio 44,4949. Lascia vuoto se non la conosci."),
    )
    longitude = CoordinateField(
        _l("Longitudine"),
        validators=[_in_range(-180, 180, _l("La longitudine deve essere compresa tra -180 e 180."))],
        description=_l("In gradi decimali, ad esempio 11,3426."),
    )
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 8},
                                description=_l("Testo semplice; ogni riga è un paragrafo."))
    ict_facilities = TextAreaField(_l("Dotazioni ICT"), validators=[Optional(), Length(max=5000)],
                                   render_kw={"rows": 4})
    accessibility = TextAreaField(_l("Accessibilità"), validators=[Optional(), Length(max=5000)],
                                  render_kw={"rows": 4},
                                  description=_l("Accesso per persone con disabilità, servizi, come arrivare."))
    opening_hours = TextAreaField(_l("Orari di apertura"), validators=[Optional(), Length(max=2000)],
                                  render_kw={"rows": 4})

    def validate_longitude(self, field):
        if (self.latitude.data is None) != (field.data is None) and not self.latitude.errors:
            raise ValidationError(_l("Indica sia la latitudine sia la longitudine, oppure nessuna delle due."))

    def to_data(self):
        return {name: self[name].data for name in (
            "name", "venue", "theme", "address", "latitude", "longitude",
            "description", "ict_facilities", "accessibility", "opening_hours")}


class AppointStaffForm(FlaskForm):
    email = StringField(_l("Email della persona"),
                        validators=[DataRequired(), Email(message=_l("Indirizzo email non valido.")),
                                    Length(max=254)])


class AppointFacilitatorForm(FlaskForm):
    lab_id = SelectField(_l("Laboratorio"), coerce=int)
    email = StringField(_l("Email della persona"),
                        validators=[DataRequired(), Email(message=_l("Indirizzo email non valido.")),
                                    Length(max=254)])


class CityForm(FlaskForm):
    """A city's sheet, as administrators write it. The service cleans and checks it again."""

    name = StringField(_l("Nome della città"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        _l("Indirizzo breve"), validators=[Optional(), Length(max=80)],
        description=_l("Compare negli indirizzi delle pagine, ad esempio reggio-emilia. "
                       "Lascia vuoto per ricavarlo dal nome."),
    )
    region = StringField(_l("Regione"), validators=[DataRequired(), Length(max=80)])
    municipalities_count = IntegerField(
        _l("Comuni dell'area metropolitana"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
        description=_l("Solo per una città metropolitana, ad esempio 55."),
    )
    population = IntegerField(_l("Popolazione"), validators=[Optional(), NumberRange(min=0, max=2**31 - 1)])
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 6},
                                description=_l("Testo semplice; ogni riga è un paragrafo."))

    def to_data(self):
        return {name: self[name].data for name in (
            "name", "slug", "region", "municipalities_count", "population", "description")}
