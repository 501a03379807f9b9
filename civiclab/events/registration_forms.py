"""Forms of booking a seat: a participant's, a group's, a guest's."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from civiclab.events.services import chosen_organisation, group_organisations


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BookingForm(FlaskForm):
    seats = IntegerField(_l("Posti"), default=1, validators=[
        InputRequired(_l("Indica quanti posti prenoti.")),
        NumberRange(min=1, max=10_000, message=_l("Prenota almeno un posto."))])
    group_name = StringField(_l("Nome del gruppo"), filters=[_strip], description=_l(
        "Per esempio «Classe 3B»: serve al laboratorio per riconoscervi all'ingresso."),
        validators=[Optional(), Length(max=120)])
    organisation = SelectField(_l("Prenoti per"), coerce=str, validate_choice=False)

    def __init__(self, organisations=(), max_seats=1, **kwargs):
        super().__init__(**kwargs)
        self.organisations = list(organisations)
        self.can_book_group = bool(self.organisations)
        self.max_seats = max_seats
        self.organisation.choices = [(str(org.id), org.name) for org in self.organisations]
        if self.can_book_group:
            self.seats.description = _l("Fino a %(n)s posti per prenotazione.", n=max_seats)

    @classmethod
    def for_user(cls, user, event, **kwargs):
        return cls(organisations=group_organisations(user, event), max_seats=event.max_seats_per_booking,
                   **kwargs)

    @property
    def chosen_organisation(self):
        """The organisation chosen in the list, by services.chosen_organisation (the API's rule too)."""
        chosen = self.organisation.data or ""
        return chosen_organisation(self.organisations, int(chosen) if chosen.isascii() and chosen.isdigit() else None)


class GuestBookingForm(FlaskForm):
    name = StringField(_l("Nome e cognome"), filters=[_strip], validators=[
        InputRequired(_l("Scrivi il tuo nome.")), Length(min=2, max=80)])
    email = EmailField(_l("Indirizzo email"), filters=[_strip], description=_l(
        "Ti scriviamo un link: la prenotazione vale solo dopo che lo hai aperto."), validators=[
        InputRequired(_l("L'indirizzo email è obbligatorio.")),
        Email(_l("Scrivi un indirizzo email valido, come nome@esempio.it.")),
        Length(max=254)])
    privacy_consent = BooleanField(_l("Ho letto l'informativa sulla privacy e acconsento al trattamento "
                                      "dei miei dati per questa prenotazione"), validators=[
        InputRequired(_l("Per prenotare devi accettare l'informativa sulla privacy."))])
