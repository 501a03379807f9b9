"""Forms of outcomes: the outcome sheet (with its links and files), a milestone, marking one
reached."""
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from civiclab.events.forms import CheckboxesField, ItalianDateField
from civiclab.outcomes.services import ADDRESS_MAX, DESCRIPTION_MAX, TITLE_MAX
from civiclab.proposals.forms import MARKDOWN_HELP


def _number_text(value):
    """'45,5' -> '45.5' (the service refuses what is not a number)."""
    text = (value or "").strip().replace(",", ".")
    return text or None


def _shown_number(value):
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",")


class OutcomeForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(_l("Il titolo è obbligatorio.")), Length(max=TITLE_MAX)],
                        description=_l("Ad esempio «Riqualificazione del giardino di via Libia»."))
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=DESCRIPTION_MAX)],
                                render_kw={"rows": 8}, description=MARKDOWN_HELP)
    status_id = SelectField(_l("Stato"), coerce=int,
                            description=_l("Scegliere uno stato imposta l'avanzamento previsto per quello stato "
                                           "(Pianificato 0 %, Completato 100 %), se non ne scrivi un altro."))
    progress = StringField(_l("Avanzamento (%)"), validators=[Optional(), Length(max=12)],
                           description=_l("Un numero da 0 a 100. Vuoto: quello dello stato scelto."))
    start_date = ItalianDateField(_l("Data di inizio"), validators=[Optional()])
    end_date = ItalianDateField(_l("Data di fine"), validators=[Optional()])
    address = StringField(_l("Indirizzo (facoltativo)"), validators=[Optional(), Length(max=ADDRESS_MAX)],
                          description=_l("Dove si realizza, ad esempio «Via Libia 12, Bologna»."))
    parent_id = SelectField(_l("Fa parte del risultato"), coerce=int,
                            description=_l("Un sotto-risultato contribuisce all'avanzamento del risultato di cui fa parte."))
    weight = StringField(_l("Peso (facoltativo)"), validators=[Optional(), Length(max=12)],
                         description=_l("Quanto conta rispetto agli altri sotto-risultati dello stesso risultato: "
                                        "i pesi sono relativi (3 e 1 contano come 0,75 e 0,25). Vuoto: la media degli altri."))
    proposal_ids = CheckboxesField(_l("Proposte adottate"), coerce=int, validate_choice=False,
                                   description=_l("Le proposte pubblicate delle call del progetto che questo risultato "
                                                  "adotta: diventano «Adottata», con il risultato come motivo."))
    event_ids = CheckboxesField(_l("Eventi di co-progettazione"), coerce=int, validate_choice=False,
                                description=_l("Gli eventi dei laboratori della città dove è stato progettato."))
    attachments = MultipleFileField(
        _l("Documenti e foto (facoltativi)"),
        description=_l("Immagini (JPEG, PNG, WebP) o PDF. Se il modulo ha errori, scegli di nuovo i file."),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"},
    )
    published = BooleanField(_l("Pubblicato: visibile a tutti"), default=True)

    FIELD_FOR_ERROR: ClassVar[dict] = {"files": "attachments"}

    def with_choices(self, statuses, parents, proposals, events, is_parent=False):
        self.status_id.choices = [SelectChoice(0, _l("Nessuno stato"))] + [
            SelectChoice(status.id, status.label) for status in statuses]
        self.parent_id.choices = [SelectChoice(0, _l("Nessuno: è un risultato principale"))] + [
            SelectChoice(node.outcome.id, "— " * node.depth + node.outcome.title) for node in parents]
        self.proposal_ids.choices = [SelectChoice(proposal.id, proposal.title) for proposal in proposals]
        self.event_ids.choices = [SelectChoice(event.id, event.title) for event in events]
        self.is_parent = is_parent
        if is_parent:
            self.progress.description = _l("Calcolato dai sotto-risultati: non si modifica qui.")
            self.progress.render_kw = {"readonly": True}
        return self

    def files(self):
        return [upload for upload in (self.attachments.data or []) if upload and upload.filename]

    def to_values(self):
        return {
            "title": self.title.data,
            "description": self.description.data or "",
            "status_id": self.status_id.data or None,
            "progress": None if getattr(self, "is_parent", False) else _number_text(self.progress.data),
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "address": self.address.data or "",
            "parent_id": self.parent_id.data or None,
            "weight": _number_text(self.weight.data),
            "proposal_ids": list(self.proposal_ids.data or []),
            "event_ids": list(self.event_ids.data or []),
            "published": bool(self.published.data),
        }

    @staticmethod
    def data_from(outcome, proposal_ids, event_ids):
        return {
            "title": outcome.title, "description": outcome.description, "status_id": outcome.status_id or 0,
            "progress": _shown_number(outcome.progress), "start_date": outcome.start_date,
            "end_date": outcome.end_date, "address": outcome.address, "parent_id": outcome.parent_id or 0,
            "weight": _shown_number(outcome.weight), "proposal_ids": proposal_ids, "event_ids": event_ids,
            "published": outcome.published,
        }


class MilestoneForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(_l("Il titolo è obbligatorio.")), Length(max=TITLE_MAX)],
                        description=_l("Ad esempio «Gara d'appalto aggiudicata»."))
    description = TextAreaField(_l("Descrizione (facoltativa)"), validators=[Optional(), Length(max=DESCRIPTION_MAX)],
                                render_kw={"rows": 4}, description=MARKDOWN_HELP)
    planned_on = ItalianDateField(_l("Data prevista"), validators=[InputRequired(_l("Indica la data prevista."))])
    reached_on = ItalianDateField(_l("Raggiunta il (facoltativo)"), validators=[Optional()],
                                  description=_l("Vuoto finché la tappa non è raggiunta."))

    def to_values(self):
        return {"title": self.title.data, "description": self.description.data or "",
                "planned_on": self.planned_on.data, "reached_on": self.reached_on.data}

    @staticmethod
    def data_from(milestone):
        return {"title": milestone.title, "description": milestone.description,
                "planned_on": milestone.planned_on, "reached_on": milestone.reached_on}


class ReachForm(FlaskForm):
    reached_on = ItalianDateField(_l("Raggiunta il"), validators=[Optional()], description=_l("Vuoto: oggi."))
