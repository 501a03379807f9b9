"""Forms of moderation: the queue's filters, a decision on a proposal, reporting a proposal,
resolving reports, blocking a user and lifting a block."""
from datetime import time, timedelta
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from civiclab.core.kit import REASON_MAX
from civiclab.core.time import utcnow
from civiclab.events.forms import ItalianDateField, rome_to_utc
from civiclab.moderation.permissions import can_report
from civiclab.proposals.models import ProposalState

REASON_ROWS = {"rows": 3}

# The queue's state filter: a state's value, or "tutti" for every state of the queue.
ALL_STATES = "tutti"

# What a moderator may decide, with the button's words.
DECISIONS = {
    ProposalState.ACCEPTED: _l("Accetta e pubblica"),
    ProposalState.CHANGES_REQUESTED: _l("Chiedi modifiche all'autore"),
    ProposalState.REJECTED: _l("Respingi"),
}


class QueueFilterForm(FlaskForm):
    """The queue's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    call = SelectField(_l("Call"), validators=[Optional()], validate_choice=False)
    stato = SelectField(_l("Stato"), validators=[Optional()], validate_choice=False)
    tema = SelectField(_l("Tema"), validators=[Optional()], validate_choice=False)

    def state(self):
        """The chosen state (submitted when none is chosen), or None for every state."""
        if self.stato.data == ALL_STATES:
            return None
        try:
            return ProposalState(self.stato.data)
        except ValueError:
            return ProposalState.SUBMITTED


class DecisionForm(FlaskForm):
    """A facilitator's decision on a submitted proposal, with the reason its author will read.

    Any decision is accepted here: the service says which are allowed from the proposal's state.
    """

    decision = RadioField(_l("Decisione"), validate_choice=False,
                          validators=[InputRequired(_l("Scegli una decisione."))])
    reason = TextAreaField(_l("Motivo"), render_kw={"rows": 4}, description=_l(
        "L'autore lo legge nella pagina della proposta e nella notifica: spiega la decisione e, se "
        "chiedi modifiche, che cosa cambiare."))

    def __init__(self, allowed=(), **kwargs):
        super().__init__(**kwargs)
        self.decision.choices = [SelectChoice(state.value, DECISIONS[state]) for state in allowed]

    def new_state(self):
        try:
            return ProposalState(self.decision.data)
        except ValueError:
            return None


class ReportForm(FlaskForm):
    """Reporting a proposal to its moderators."""

    reason = TextAreaField(_l("Motivo della segnalazione"),
                           validators=[DataRequired(_l("Scrivi il motivo della segnalazione.")),
                                       Length(max=REASON_MAX)],
                           render_kw={"rows": 3},
                           description=_l("Ad esempio: offensiva, pubblicità, dati personali di altri."))


def report_form_for(proposal):
    """The ("proposal", "report") section of a proposal's page: the form to report it, when the
    reader may (else None)."""
    return ReportForm() if can_report(current_user, proposal) else None


UPHELD, REJECTED = "confermate", "infondate"


class ResolveReportsForm(FlaskForm):
    """The decision on a content's open reports; each content's form has its own prefix."""

    outcome = StringField(validators=[InputRequired(_l("Scegli se confermare le segnalazioni.")),
                                      AnyOf([UPHELD, REJECTED], _l("Scegli se confermare le segnalazioni."))])
    reason = TextAreaField(_l("Motivo"), render_kw=REASON_ROWS, description=_l(
        "Resta nel registro della moderazione."))

    @property
    def upheld(self):
        return self.outcome.data == UPHELD


DURATIONS = ("7", "30", "data", "sempre")


class BlockForm(FlaskForm):
    reason = TextAreaField(_l("Motivo"), render_kw={"rows": 4}, description=_l(
        "La persona lo legge quando prova a commentare o a proporre; resta nel registro."))
    duration = RadioField(_l("Durata"), default="7", choices=[
        SelectChoice("7", _l("7 giorni")),
        SelectChoice("30", _l("30 giorni")),
        SelectChoice("data", _l("Fino a una data")),
        SelectChoice("sempre", _l("Finché non viene revocato")),
    ], validators=[InputRequired(_l("Scegli la durata."))])
    until = ItalianDateField(_l("Ultimo giorno del blocco"), validators=[Optional()], description=_l(
        "Solo con «Fino a una data»: il blocco finisce alla mezzanotte di quel giorno (ora italiana)."))

    FIELD_FOR_ERROR: ClassVar[dict] = {"ends_at": "until"}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Checked here: Optional() stops the field's own validators when it is empty.
        if self.duration.data == "data" and self.until.data is None:
            if not self.until.errors:
                self.until.errors.append(_l("Scegli l'ultimo giorno del blocco."))
            return False
        return valid

    def ends_at(self, now=None):
        """The block's end (UTC), or None for a block until lifted."""
        now = now or utcnow()
        if self.duration.data in ("7", "30"):
            return now + timedelta(days=int(self.duration.data))
        if self.duration.data == "data":
            return rome_to_utc(self.until.data + timedelta(days=1), time())
        return None


class LiftBlockForm(FlaskForm):
    reason = TextAreaField(_l("Motivo della revoca"), render_kw=REASON_ROWS)
