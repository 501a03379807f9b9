"""Forms of comments: writing, replying, editing and voting (reports and moderation take
core.kit's ReasonForm, deleting its ButtonForm).

The comment section draws these forms by hand (many on one page, each with its own ids); the
classes validate what they send and are drawn again, with their errors, when something is wrong.
The new comment's target comes in a hidden field named by its kind (`proposal_id`), read by
comments.queries.load_target.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from civiclab.comments.models import Stance
from civiclab.comments.services import BODY_MAX

BODY_HELP = _l("Puoi usare il grassetto (**così**), il corsivo (*così*), elenchi e link. "
               "Al massimo %(n)d caratteri.", n=BODY_MAX)


def _body_field(label):
    return TextAreaField(
        label, description=BODY_HELP, render_kw={"rows": 4},
        validators=[DataRequired(_l("Scrivi il testo del commento.")),
                    Length(max=BODY_MAX, message=_l("Il commento può avere al massimo %(max)d caratteri."))],
    )


class CommentForm(FlaskForm):
    """A new top-level comment on a project or a proposal (the stance only on proposals)."""

    body = _body_field(_l("Il tuo commento"))
    stance = RadioField(
        _l("La tua posizione sulla proposta (facoltativa)"), validators=[Optional()], default="",
        choices=[SelectChoice("", _l("Nessuna"))] + [SelectChoice(s.value, s.label) for s in Stance],
    )


class ReplyForm(FlaskForm):
    body = _body_field(_l("La tua risposta"))


class EditCommentForm(FlaskForm):
    body = _body_field(_l("Testo del commento"))


class VoteForm(FlaskForm):
    """Up, down, or cancel one's vote; the buttons send `value`."""

    value = RadioField(choices=[SelectChoice(v, v) for v in ("1", "-1", "0")],
                       validators=[DataRequired()], validate_choice=True)
