"""Forms of the room pages: a message without JavaScript, moderation with its reason, a working room.

The room page draws these forms by hand (one per message for moderators); the classes validate
what they send.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from civiclab.rooms.models import CLIENT_KEY_MAX, MESSAGE_MAX
from civiclab.rooms.services import REASON_MAX

# How long a moderator may mute someone from the page: 15 minutes, an hour, a day.
MUTE_CHOICES = ((15, _l("15 minuti")), (60, _l("1 ora")), (60 * 24, _l("24 ore")))


class MessageForm(FlaskForm):
    """A message sent without JavaScript; `key` (chosen when the page was drawn) makes a double
    submit store once, as the socket's idempotency key does."""

    body = TextAreaField(
        _l("Il tuo messaggio"), render_kw={"rows": 3},
        validators=[DataRequired(_l("Il messaggio è vuoto.")),
                    Length(max=MESSAGE_MAX, message=_l("Il messaggio può avere al massimo %(max)d caratteri."))],
    )
    key = HiddenField(validators=[Optional(), Length(max=CLIENT_KEY_MAX)])


def _reason_field():
    return TextAreaField(
        _l("Motivo"), render_kw={"rows": 2},
        validators=[DataRequired(_l("Scrivi il motivo.")),
                    Length(max=REASON_MAX, message=_l("Il motivo può avere al massimo %(max)d caratteri."))],
    )


class ReasonForm(FlaskForm):
    """Deleting a message, locking or reopening a room: the reason is logged."""

    reason = _reason_field()


class ReportForm(FlaskForm):
    """Reporting a message to the room's moderators: why."""

    reason = _reason_field()


# Who reads an event's room: anyone, or its participants only.
READERS_CHOICES = (("tutti", _l("Chiunque")), ("iscritti", _l("Solo chi è iscritto all'evento")))


class ReadersForm(FlaskForm):
    readers = SelectField(_l("Chi può leggere la stanza"), validate_choice=True,
                          choices=[SelectChoice(value, label) for value, label in READERS_CHOICES])


class MuteForm(FlaskForm):
    minutes = SelectField(_l("Per quanto tempo"), coerce=int, validate_choice=True,
                          choices=[SelectChoice(minutes, label) for minutes, label in MUTE_CHOICES])
    reason = _reason_field()


class WorkingRoomForm(FlaskForm):
    title = StringField(_l("Nome della stanza"),
                        validators=[DataRequired(_l("Dai un nome alla stanza.")),
                                    Length(max=160, message=_l("Al massimo %(max)d caratteri."))])
    members = TextAreaField(
        _l("Membri"), render_kw={"rows": 3},
        description=_l("Gli indirizzi email delle persone registrate da invitare, separati da virgole. "
                       "I facilitatori del laboratorio e il personale del Comune ne fanno sempre parte."),
        validators=[Optional(), Length(max=5000)],
    )

    def emails(self):
        """The addresses typed, normalised, in order, each once."""
        from civiclab.accounts.services import normalise_email

        seen = []
        for part in (self.members.data or "").replace(";", ",").replace("\n", ",").split(","):
            email = normalise_email(part)
            if email and email not in seen:
                seen.append(email)
        return seen
