"""Forms of comments: writing, replying, editing, voting, and the reasons of reports and moderation.

The comment section draws these forms by hand (many on one page, each with its own ids); the
classes validate what they send and are drawn again, with their errors, when something is wrong.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from civiclab.comments.models import Stance
from civiclab.comments.services import BODY_MAX
from civiclab.core.forms import filter_id
from civiclab.moderation.services import REASON_MAX

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

    project_id = HiddenField()
    proposal_id = HiddenField()
    body = _body_field(_l("Il tuo commento"))
    stance = RadioField(
        _l("La tua posizione sulla proposta (facoltativa)"), validators=[Optional()], default="",
        choices=[SelectChoice("", _l("Nessuna"))] + [SelectChoice(s.value, s.label) for s in Stance],
    )

    def subject_ids(self):
        """(project_id, proposal_id) as positive ints or None; anything else is None."""
        return filter_id(self.project_id.data), filter_id(self.proposal_id.data)


class ReplyForm(FlaskForm):
    body = _body_field(_l("La tua risposta"))


class EditCommentForm(FlaskForm):
    body = _body_field(_l("Testo del commento"))


class VoteForm(FlaskForm):
    """Up, down, or cancel one's vote; the buttons send `value`."""

    value = RadioField(choices=[SelectChoice(v, v) for v in ("1", "-1", "0")],
                       validators=[DataRequired()], validate_choice=True)


class ReasonForm(FlaskForm):
    """The reason of a report, of hiding or of restoring a comment."""

    reason = TextAreaField(
        _l("Motivo"), render_kw={"rows": 3},
        validators=[DataRequired(_l("Scrivi il motivo.")),
                    Length(max=REASON_MAX, message=_l("Il motivo può avere al massimo %(max)d caratteri."))],
    )


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token (delete)."""
