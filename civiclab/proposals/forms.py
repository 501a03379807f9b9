"""Forms of calls and proposals: the call sheet, the proposal, withdrawing, reporting, the lists'
filters."""
from datetime import time
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from civiclab.core.forms import filter_id
from civiclab.core.time import to_rome
from civiclab.events.forms import ItalianDateField, ItalianTimeField, rome_to_utc
from civiclab.proposals.services import BODY_MAX, PLACE_MAX, REASON_MAX, TITLE_MAX

MARKDOWN_HELP = _l("Puoi usare il Markdown: **grassetto**, *corsivo*, elenchi con «- » all'inizio della "
                   "riga, link come [testo](https://…). Una riga vuota separa i paragrafi.")


# ---- the call sheet ------------------------------------------------------------------------

# The phases' start moments: the service's field, then the form's date and time.
PHASE_MOMENTS = (
    ("proposals_from", "proposals_date", "proposals_time"),
    ("review_from", "review_date", "review_time"),
    ("supports_from", "supports_date", "supports_time"),
    ("closes_at", "closes_date", "closes_time"),
)


def _phase_date(label, message):
    return ItalianDateField(label, validators=[InputRequired(message)])


def _phase_time(label):
    return ItalianTimeField(label, validators=[Optional()], description=_l("Vuoto: mezzanotte (00:00)."))


class CallForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(_l("Il titolo è obbligatorio.")),
                                                  Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Testo della call"), validators=[Optional(), Length(max=BODY_MAX)],
                                render_kw={"rows": 10}, description=MARKDOWN_HELP)
    project_id = SelectField(_l("Progetto"), coerce=int,
                             description=_l("Il progetto della città su cui si raccolgono le idee."))
    lab_id = SelectField(_l("Laboratorio (facoltativo)"), coerce=int,
                         description=_l("I suoi facilitatori moderano le proposte; senza laboratorio le "
                                        "moderano i facilitatori di tutti i laboratori della città."))
    themes = TextAreaField(_l("Temi"), validators=[Optional(), Length(max=2_000)], render_kw={"rows": 4},
                           description=_l("Un tema per riga, ad esempio «Verde» e «Mobilità»."))
    proposals_date = _phase_date(_l("Le proposte si aprono il"), _l("Indica quando si aprono le proposte."))
    proposals_time = _phase_time(_l("Ora di apertura delle proposte"))
    review_date = _phase_date(_l("La valutazione inizia il"), _l("Indica quando inizia la valutazione."))
    review_time = _phase_time(_l("Ora di inizio della valutazione"))
    supports_date = _phase_date(_l("I sostegni si aprono il"), _l("Indica quando si aprono i sostegni."))
    supports_time = _phase_time(_l("Ora di apertura dei sostegni"))
    closes_date = _phase_date(_l("La call si chiude il"), _l("Indica quando si chiude la call."))
    closes_time = _phase_time(_l("Ora di chiusura"))
    proposals_require_identity = BooleanField(
        _l("Solo con SPID/CIE: per proporre"),
        description=_l("Propone solo chi ha un account con un'identità verificata (SPID o CIE)."))
    supports_require_identity = BooleanField(
        _l("Solo con SPID/CIE: per sostenere"),
        description=_l("Sostiene le proposte solo chi ha un account con un'identità verificata (SPID o CIE)."))

    FIELD_FOR_ERROR: ClassVar[dict] = {name: date_field for name, date_field, _time in PHASE_MOMENTS}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        self.moments = {}
        for name, date_name, time_name in PHASE_MOMENTS:
            day, at = self[date_name], self[time_name]
            if day.errors or at.errors or day.data is None:
                continue
            instant = rome_to_utc(day.data, at.data or time())
            if instant is None:
                at.errors.append(_l("Quest'ora non esiste quel giorno: è la notte del passaggio "
                                    "all'ora legale (dalle 2:00 alle 3:00)."))
                valid = False
            else:
                self.moments[name] = instant
        return valid

    def to_values(self):
        """What create_call / update_call take besides the city, project and lab (after validate())."""
        return {
            "title": self.title.data,
            "description": self.description.data or "",
            "themes": [line.strip() for line in (self.themes.data or "").splitlines() if line.strip()],
            "proposals_require_identity": bool(self.proposals_require_identity.data),
            "supports_require_identity": bool(self.supports_require_identity.data),
            **self.moments,
        }

    @staticmethod
    def data_from(call):
        data = {"title": call.title, "description": call.description, "project_id": call.project_id or 0,
                "lab_id": call.lab_id or 0, "themes": "\n".join(theme.name for theme in call.themes),
                "proposals_require_identity": call.proposals_require_identity,
                "supports_require_identity": call.supports_require_identity}
        for name, date_name, time_name in PHASE_MOMENTS:
            local = to_rome(getattr(call, name))
            data[date_name] = local.date()
            data[time_name] = local.time().replace(second=0, microsecond=0)
        return data


# ---- proposals -----------------------------------------------------------------------------

class ProposalForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(_l("Il titolo è obbligatorio.")),
                                                  Length(max=TITLE_MAX)],
                        description=_l("Una frase che dica l'idea, ad esempio «Un orto condiviso nel "
                                       "cortile della scuola»."))
    body = TextAreaField(_l("La tua proposta"),
                         validators=[DataRequired(_l("Descrivi la tua proposta.")), Length(max=BODY_MAX)],
                         render_kw={"rows": 12}, description=MARKDOWN_HELP)
    theme_id = SelectField(_l("Tema"), coerce=int)
    lab_id = SelectField(_l("Laboratorio (facoltativo)"), coerce=int,
                         description=_l("Il laboratorio della città dove vorresti svilupparla."))
    place = StringField(_l("Luogo (facoltativo)"), validators=[Optional(), Length(max=PLACE_MAX)],
                        description=_l("Dove si realizzerebbe, ad esempio «Giardino di via Libia»."))
    attachments = MultipleFileField(
        _l("Allegati (facoltativi)"),
        description=_l("Immagini (JPEG, PNG, WebP) o PDF. Se il modulo ha errori, scegli di nuovo i file."),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"},
    )
    save = SubmitField(_l("Salva bozza"))
    send = SubmitField(_l("Invia ai facilitatori"))

    FIELD_FOR_ERROR: ClassVar[dict] = {"files": "attachments"}

    def with_choices(self, call, labs):
        self.theme_id.choices = [SelectChoice(0, _l("Scegli un tema"))] + [
            SelectChoice(theme.id, theme.name) for theme in call.themes]
        self.lab_id.choices = [SelectChoice(0, _l("Nessun laboratorio in particolare"))] + [
            SelectChoice(lab.id, lab.name) for lab in labs]
        if not call.themes:
            del self.theme_id
        return self

    def validate_theme_id(self, field):
        if not field.data:
            raise ValidationError(_l("Scegli uno dei temi della call."))

    def files(self):
        """The chosen files (a form sent without any gives one empty entry)."""
        return [upload for upload in (self.attachments.data or []) if upload and upload.filename]

    def to_values(self):
        return {
            "title": self.title.data,
            "body": self.body.data,
            "theme_id": (self.theme_id.data or None) if "theme_id" in self else None,
            "lab_id": self.lab_id.data or None,
            "place": self.place.data or "",
        }

    @staticmethod
    def data_from(proposal):
        return {"title": proposal.title, "body": proposal.body, "theme_id": proposal.theme_id or 0,
                "lab_id": proposal.lab_id or 0, "place": proposal.place}


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Perché la ritiri? (facoltativo)"), validators=[Optional(), Length(max=REASON_MAX)],
                           render_kw={"rows": 3},
                           description=_l("Lo leggono i facilitatori nella storia della proposta."))


# ---- the lists' filters (GET forms: no CSRF token) ------------------------------------------

class CallFilterForm(FlaskForm):
    class Meta:
        csrf = False

    citta = SelectField(_l("Città"), validators=[Optional()], validate_choice=False)


SORTS = (
    SelectChoice("recenti", _l("Più recenti")),
    SelectChoice("sostegni", _l("Più sostenute")),
    SelectChoice("commenti", _l("Più commentate")),
    SelectChoice("casuale", _l("In ordine casuale")),
)


class ProposalFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Cerca nelle proposte"), validators=[Optional(), Length(max=100)])
    tema = SelectField(_l("Tema"), validators=[Optional()], validate_choice=False)
    ordine = SelectField(_l("Ordina per"), choices=SORTS, validators=[Optional()], validate_choice=False)

    def with_themes(self, call):
        self.tema.choices = [SelectChoice("", _l("Tutti i temi"))] + [
            SelectChoice(str(theme.id), theme.name) for theme in call.themes]
        return self

    def sort(self):
        return self.ordine.data if self.ordine.data in {choice.value for choice in SORTS} else "recenti"

    def theme_id(self):
        return filter_id(self.tema.data)

    def text(self):
        return "" if self.q.errors else (self.q.data or "").strip()
