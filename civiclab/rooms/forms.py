"""Forms of the room pages: a message without JavaScript, a mute with its reason, who reads an
event's room, a working room. Deleting a message, locking or reopening a room and reporting a
message take the route kit's ReasonForm (core/kit.py): the reason is logged or sent.

The room page draws these forms by hand (one per message for moderators); the classes validate
what they send.
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from civiclab.accounts.models import User
from civiclab.core.kit import reason_field
from civiclab.extensions import db
from civiclab.rooms.models import CLIENT_KEY_MAX, MESSAGE_MAX

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


# Who reads an event's room: anyone, or its participants only.
READERS_CHOICES = (("tutti", _l("Chiunque")), ("iscritti", _l("Solo chi è iscritto all'evento")))


class ReadersForm(FlaskForm):
    readers = SelectField(_l("Chi può leggere la stanza"), validate_choice=True,
                          choices=[SelectChoice(value, label) for value, label in READERS_CHOICES])


class MuteForm(FlaskForm):
    minutes = SelectField(_l("Per quanto tempo"), coerce=int, validate_choice=True,
                          choices=[SelectChoice(minutes, label) for minutes, label in MUTE_CHOICES])
    reason = reason_field(rows=2)


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

    member_ids = ()  # of the registered accounts typed, once the form has validated

    def emails(self):
        """The addresses typed, normalised, in order, each once."""
        from civiclab.accounts.services import normalise_email

        seen = []
        for part in (self.members.data or "").replace(";", ",").replace("\n", ",").split(","):
            email = normalise_email(part)
            if email and email not in seen:
                seen.append(email)
        return seen

    def validate_members(self, field):
        """Every address typed is a registered account's (the members are kept in `member_ids`)."""
        emails = self.emails()
        users = db.session.scalars(
            sa.select(User).where(sa.func.lower(User.email).in_(emails))).all() if emails else []
        known = {user.email.lower() for user in users}
        unknown = [email for email in emails if email not in known]
        if unknown:
            raise ValidationError(_("Nessun account registrato con questi indirizzi: %(emails)s.",
                               emails=", ".join(unknown)))
        self.member_ids = [user.id for user in users]
