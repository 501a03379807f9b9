"""The rules of calls and proposals: phases, the state machine with its recorded reasons, supports.

Services take plain values and the acting user, check permissions and the call's phase, flush and
emit signals; the request boundary commits. Notifications hang off `proposal_state_changed`.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.accounts.blocks import ensure_not_blocked
from civiclab.accounts.identity_rule import ensure_identity
from civiclab.core import signals
from civiclab.core.audit import audit
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.sanitize import is_blank, plain_text, render_markdown
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.places.models import Lab
from civiclab.proposals import attachments, permissions
from civiclab.proposals.models import (
    PROPOSAL_TRANSITIONS,
    Attachment,
    Call,
    CallTheme,
    Proposal,
    ProposalState,
    ProposalTransition,
    Support,
    UploadRecord,
)

TITLE_MAX = 200
BODY_MAX = 20_000
REASON_MAX = 2_000
PLACE_MAX = 200
THEMES_MAX = 20


# ---- calls ---------------------------------------------------------------------------------

def _call_values(values):
    title = plain_text(values.get("title", "")).strip()
    if is_blank(title):
        raise DomainError(_l("Il titolo è obbligatorio."), field="title")
    times = [values.get(key) for key in ("proposals_from", "review_from", "supports_from", "closes_at")]
    if any(moment is None for moment in times):
        raise DomainError(_l("Indica le date di tutte le fasi."), field="proposals_from")
    proposals_from, review_from, supports_from, closes_at = times
    if not proposals_from < review_from:
        raise DomainError(_l("La valutazione deve iniziare dopo l'apertura delle proposte."), field="review_from")
    if not review_from <= supports_from:
        raise DomainError(_l("I sostegni devono iniziare dopo la valutazione."), field="supports_from")
    if not supports_from < closes_at:
        raise DomainError(_l("La chiusura deve essere dopo l'inizio dei sostegni."), field="closes_at")
    themes = []
    for name in values.get("themes", []):
        name = plain_text(name).strip()[:80]
        if name and name.casefold() not in {t.casefold() for t in themes}:
            themes.append(name)
    if len(themes) > THEMES_MAX:
        raise DomainError(_l("Al massimo %(n)d temi.", n=THEMES_MAX), field="themes")
    description = values.get("description", "") or ""
    return {
        "title": title[:TITLE_MAX],
        "description": description,
        "description_html": render_markdown(description),
        "proposals_from": proposals_from,
        "review_from": review_from,
        "supports_from": supports_from,
        "closes_at": closes_at,
    }, themes


def _set_themes(call, names):
    existing = {theme.name: theme for theme in call.themes}
    call.themes = [existing.get(name) or CallTheme(name=name) for name in names]
    for position, theme in enumerate(call.themes):
        theme.position = position


def _set_identity_requirements(actor, call, proposals, supports):
    """Whether proposing and supporting need a verified identity ("solo con SPID/CIE"; None: as it
    is). Who may take part is a staff decision the audit log keeps: one entry when either changes."""
    proposals = call.proposals_require_identity if proposals is None else bool(proposals)
    supports = call.supports_require_identity if supports is None else bool(supports)
    # A new call's flags are None until flushed: it required nothing before.
    before = (bool(call.proposals_require_identity), bool(call.supports_require_identity))
    call.proposals_require_identity, call.supports_require_identity = proposals, supports
    if (proposals, supports) != before:
        db.session.flush()  # a new call's id
        audit(actor, "call.identity_requirement_changed", call, city_id=call.city_id,
              proposals=proposals, supports=supports)


def create_call(actor, *, city, project=None, lab=None, published=False, proposals_require_identity=False,
                supports_require_identity=False, **values):
    """A call on `project` and/or `lab` of `city`; `values`: title, description, themes, the four
    phase start times (UTC). `proposals_require_identity`, `supports_require_identity`: only
    accounts with a verified identity propose, or support (Call's flags)."""
    if not permissions.can_manage_calls(actor, city):
        raise NotAllowed(_l("Solo il Comune può aprire una call."))
    if project is None and lab is None:
        raise DomainError(_l("Scegli il progetto o il laboratorio della call."), field="project_id")
    for subject in (project, lab):
        if subject is not None and subject.city_id != city.id:
            raise DomainError(_l("Il progetto e il laboratorio devono essere della stessa città."),
                              field="lab_id")
    fields, themes = _call_values(values)
    call = Call(city_id=city.id, project_id=project.id if project else None,
                lab_id=lab.id if lab else None, published=published, created_by_id=actor.id, **fields)
    db.session.add(call)
    _set_themes(call, themes)
    db.session.flush()
    _set_identity_requirements(actor, call, proposals_require_identity, supports_require_identity)
    audit(actor, "call.created", call, city_id=call.city_id, title=call.title)
    if published:
        audit(actor, "call.published", call, city_id=call.city_id, title=call.title)
    return call


def _audit_publishing(actor, call, was_published):
    if call.published != was_published:
        audit(actor, "call.published" if call.published else "call.unpublished", call, city_id=call.city_id,
              title=call.title)


def update_call(actor, call, *, published=None, proposals_require_identity=None, supports_require_identity=None,
                **values):
    """The call sheet changed; the identity flags stay as they are when None."""
    if not permissions.can_edit_call(actor, call):
        raise NotAllowed(_l("Solo il Comune può modificare questa call."))
    fields, themes = _call_values(values)
    changed = [key for key, value in fields.items() if getattr(call, key) != value]
    for key in changed:
        setattr(call, key, fields[key])
    _set_themes(call, themes)
    _set_identity_requirements(actor, call, proposals_require_identity, supports_require_identity)
    was_published = call.published
    if published is not None:
        call.published = published
    db.session.flush()
    audit(actor, "call.edited", call, city_id=call.city_id, title=call.title,
          fields=[key for key in changed if key != "description_html"])
    _audit_publishing(actor, call, was_published)
    return call


def set_call_subjects(actor, call, project=None, lab=None):
    """Move a call to another project and/or lab of its city."""
    if not permissions.can_edit_call(actor, call):
        raise NotAllowed(_l("Solo il Comune può modificare questa call."))
    if project is None and lab is None:
        raise DomainError(_l("Scegli il progetto o il laboratorio della call."), field="project_id")
    for subject in (project, lab):
        if subject is not None and subject.city_id != call.city_id:
            raise DomainError(_l("Il progetto e il laboratorio devono essere della stessa città."),
                              field="lab_id")
    call.project_id = project.id if project else None
    call.lab_id = lab.id if lab else None
    db.session.flush()
    audit(actor, "call.edited", call, city_id=call.city_id, title=call.title, project_id=call.project_id,
          lab_id=call.lab_id)
    return call


def publish_call(actor, call, published=True):
    """Show the call to everybody (or hide it again while it is being prepared)."""
    if not permissions.can_edit_call(actor, call):
        raise NotAllowed(_l("Solo il Comune può pubblicare questa call."))
    was_published = call.published
    call.published = published
    db.session.flush()
    _audit_publishing(actor, call, was_published)
    return call


# ---- proposals -----------------------------------------------------------------------------

def _proposal_values(call, values):
    title = plain_text(values.get("title", "")).strip()
    if is_blank(title):
        raise DomainError(_l("Il titolo è obbligatorio."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_l("Il titolo può avere al massimo %(n)d caratteri.", n=TITLE_MAX), field="title")
    body = (values.get("body") or "").strip()
    if is_blank(body):
        raise DomainError(_l("Descrivi la tua proposta."), field="body")
    if len(body) > BODY_MAX:
        raise DomainError(_l("Il testo può avere al massimo %(n)d caratteri.", n=BODY_MAX), field="body")
    theme_id = values.get("theme_id") or None
    if theme_id is not None and theme_id not in {theme.id for theme in call.themes}:
        raise DomainError(_l("Scegli uno dei temi della call."), field="theme_id")
    place = plain_text(values.get("place", "")).strip()
    if len(place) > PLACE_MAX:
        raise DomainError(_l("Il luogo può avere al massimo %(n)d caratteri.", n=PLACE_MAX), field="place")
    lab_id = values.get("lab_id") or None
    if lab_id is not None:
        lab = db.session.get(Lab, lab_id)
        if lab is None or lab.city_id != call.city_id:  # the form offers only the city's labs
            raise DomainError(_l("Scegli uno dei laboratori della città della call."), field="lab_id")
    return {
        "title": title,
        "body": body,
        "body_html": render_markdown(body),
        "theme_id": theme_id,
        "lab_id": lab_id,
        "place": place,
    }


def create_proposal(actor, call, submit=False, **values):
    """A new proposal by `actor` under `call`: a private draft, or submitted at once if `submit`.

    `values`: title, body (Markdown), theme_id, lab_id, place. A call that requires a verified
    identity to propose (Call.proposals_require_identity) refuses an account without one.
    """
    if not permissions.can_propose(actor, call):
        raise NotAllowed(_l("Conferma il tuo indirizzo email per proporre."))
    ensure_not_blocked(actor)
    if not call.allows("submit"):
        raise DomainError(_l("La call non accetta proposte in questa fase (%(phase)s).", phase=call.phase.label))
    ensure_identity(actor, call.proposals_require_identity)
    proposal = Proposal(call_id=call.id, author_id=actor.id, **_proposal_values(call, values))
    proposal.call = call
    db.session.add(proposal)
    db.session.flush()
    if submit:
        submit_proposal(actor, proposal)
    return proposal


def update_proposal(actor, proposal, **values):
    """Its author edits a draft, or a proposal whose changes were requested."""
    if not permissions.is_author(actor, proposal):
        raise NotAllowed(_l("Puoi modificare solo le tue proposte."))
    ensure_not_blocked(actor)
    if not proposal.is_editable:
        raise DomainError(_l("Una proposta «%(state)s» non si può più modificare.", state=proposal.state.label))
    for key, value in _proposal_values(proposal.call, values).items():
        setattr(proposal, key, value)
    db.session.flush()
    return proposal


def _ensure_may_move(actor, proposal, new_state, refusal):
    """Whoever the "who may" column of PROPOSAL_TRANSITIONS does not name for this move is refused
    (NotAllowed, `refusal`): permissions.can_move reads it. A move the table has not at all is
    nobody's: move_to refuses it (a DomainError) after the call's own rules."""
    if Proposal.who_may(proposal.state, new_state) and not permissions.can_move(actor, proposal, new_state):
        raise NotAllowed(refusal)


# The moves made by staff and facilitators (not an author's own), and their audit actions.
STAFF_MOVES = {
    "moderator": lambda _from, _to: "proposal.moderated",
    "staff": lambda _from, to: "proposal.adopted" if to is ProposalState.ADOPTED else "proposal.unadopted",
}


def _record(actor, proposal, new_state, reason):
    transition = ProposalTransition(
        proposal_id=proposal.id, actor_id=actor.id if actor else None,
        from_state=proposal.state.value, to_state=new_state.value, reason=reason,
        # What the facilitator asked to change, kept to show them the resubmission's diff.
        snapshot=proposal.snapshot() if new_state is ProposalState.CHANGES_REQUESTED else None,
    )
    who = Proposal.who_may(proposal.state, new_state)
    moved_from = proposal.state
    proposal.move_to(new_state)
    db.session.add(transition)
    db.session.flush()
    if who in STAFF_MOVES:
        audit(actor, STAFF_MOVES[who](moved_from, new_state), proposal, city_id=proposal.call.city_id,
              reason=reason, title=proposal.title, from_state=moved_from.value, to_state=new_state.value)
    signals.proposal_state_changed.send(proposal, transition=transition)
    return transition


def submit_proposal(actor, proposal):
    """Its author submits a draft (proposals phase) or an edited proposal (proposals or review).

    Sending a draft is proposing: when the call requires a verified identity to propose, a draft
    written before the requirement was set is refused too. An edited proposal sent again was
    proposed already, and is not.
    """
    _ensure_may_move(actor, proposal, ProposalState.SUBMITTED, _l("Puoi inviare solo le tue proposte."))
    ensure_not_blocked(actor)
    what = "submit" if proposal.state is ProposalState.DRAFT else "resubmit"
    if not proposal.call.allows(what):
        raise DomainError(_l("La call non accetta proposte in questa fase (%(phase)s).",
                             phase=proposal.call.phase.label))
    if what == "submit":
        ensure_identity(actor, proposal.call.proposals_require_identity)
    return _record(actor, proposal, ProposalState.SUBMITTED, "")


def withdraw_proposal(actor, proposal, reason=""):
    """Its author withdraws a published proposal (its supports stay counted in the history)."""
    _ensure_may_move(actor, proposal, ProposalState.WITHDRAWN, _l("Puoi ritirare solo le tue proposte."))
    return _record(actor, proposal, ProposalState.WITHDRAWN, (reason or "").strip()[:REASON_MAX])


# The decisions of a moderator: where the table's "moderator" moves lead (accept, reject, ask
# for changes).
MODERATOR_STATES = tuple(dict.fromkeys(
    to_state for (_from, to_state), who in PROPOSAL_TRANSITIONS.items() if who == "moderator"))


def moderate_proposal(actor, proposal, new_state, reason):
    """A facilitator accepts, rejects or asks for changes, always with a reason the author sees."""
    if new_state not in MODERATOR_STATES:
        raise DomainError(_l("Decisione non valida."), field="decision")
    _ensure_may_move(actor, proposal, new_state,
                     _l("Solo i facilitatori di questa call possono moderare le proposte."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Scrivi il motivo: l'autore lo leggerà."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Il motivo può avere al massimo %(n)d caratteri.", n=REASON_MAX), field="reason")
    if not proposal.call.allows("moderate"):
        raise DomainError(_l("La call è chiusa: le proposte non si moderano più."))
    return _record(actor, proposal, new_state, reason)


def adopt_proposal(actor, proposal, reason):
    """The municipality adopts a published proposal in an outcome (with the outcome as reason)."""
    _ensure_may_move(actor, proposal, ProposalState.ADOPTED, _l("Solo il Comune può adottare una proposta."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Scrivi il motivo: l'autore lo leggerà."), field="reason")
    return _record(actor, proposal, ProposalState.ADOPTED, reason[:REASON_MAX])


def unadopt_proposal(actor, proposal, reason):
    """The last outcome that adopted a proposal lets it go: it is published ("accepted") again,
    the move logged with its reason like any other."""
    _ensure_may_move(actor, proposal, ProposalState.ACCEPTED, _l("Solo il Comune può revocare un'adozione."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Scrivi il motivo: l'autore lo leggerà."), field="reason")
    return _record(actor, proposal, ProposalState.ACCEPTED, reason[:REASON_MAX])


# ---- attachments ---------------------------------------------------------------------------

def add_attachments(actor, proposal, received):
    """Attach files as received (attachments.receive_all) to a proposal its author may still edit.

    Within UPLOADS_PER_PROPOSAL and the author's daily quota, both checked before any file is
    decoded; then every file is checked, and nothing is written unless all of them pass.
    """
    if not permissions.can_edit_proposal(actor, proposal):
        raise NotAllowed(_l("Puoi allegare file solo alle tue proposte, finché sono modificabili."))
    if not received:
        return []
    ensure_not_blocked(actor)
    allowed = current_app.config["UPLOADS_PER_PROPOSAL"]
    existing = db.session.scalar(
        sa.select(sa.func.count(Attachment.id)).where(Attachment.proposal_id == proposal.id))
    if existing + len(received) > allowed:
        raise DomainError(_l("Una proposta può avere al massimo %(n)d allegati (ne ha già %(has)d).",
                             n=allowed, has=existing), field="files")
    added = [Attachment(proposal_id=proposal.id, filename=upload.filename, stored_name=stored_name,
                        content_type=upload.content_type, size=upload.size)
             for upload, stored_name in store_uploads(actor, received)]
    db.session.add_all(added)
    db.session.flush()
    return added


def store_uploads(actor, received):
    """The attachment rules every domain's files follow: within `actor`'s daily quota, every file
    checked (nothing is stored unless all pass), then stored and counted in the quota.
    Returns [(CheckedUpload, stored name)]; the caller makes its own rows of them."""
    _ensure_upload_quota(actor, received)
    checked = attachments.check_uploads(received)
    stored = []
    for upload, raw in zip(checked, received, strict=True):
        stored.append((upload, attachments.store(upload)))
        db.session.add(UploadRecord(user_id=actor.id, size=raw.size))
    return stored


def _ensure_upload_quota(actor, received):
    """The rule: in any 24 hours a user attaches at most UPLOAD_QUOTA_FILES_PER_DAY files and
    UPLOAD_QUOTA_BYTES_PER_DAY bytes (as received), counting files removed since."""
    files_max = current_app.config["UPLOAD_QUOTA_FILES_PER_DAY"]
    bytes_max = current_app.config["UPLOAD_QUOTA_BYTES_PER_DAY"]
    files, size = db.session.execute(
        sa.select(sa.func.count(UploadRecord.id), sa.func.coalesce(sa.func.sum(UploadRecord.size), 0))
        .where(UploadRecord.user_id == actor.id, UploadRecord.created_at > utcnow() - timedelta(days=1))
    ).one()
    if files + len(received) > files_max or size + sum(upload.size for upload in received) > bytes_max:
        raise DomainError(_l("Hai già caricato molti file nelle ultime 24 ore (si possono allegare al massimo "
                             "%(files)d file e %(mb)d MB al giorno): riprova domani, oppure salva ora la "
                             "proposta senza allegati.", files=files_max, mb=round(bytes_max / 1024 / 1024)),
                          field="files")


def delete_attachment(actor, attachment):
    """Its author removes an attachment while the proposal is editable."""
    if not permissions.can_edit_proposal(actor, attachment.proposal):
        raise NotAllowed(_l("Puoi togliere allegati solo dalle tue proposte, finché sono modificabili."))
    stored_name = attachment.stored_name
    db.session.delete(attachment)
    db.session.flush()
    attachments.remove(stored_name)


# ---- supports ------------------------------------------------------------------------------

def _lock_proposal(proposal):
    """Serialise counter changes on the proposal's row (FOR UPDATE on PostgreSQL)."""
    query = sa.select(Proposal).where(Proposal.id == proposal.id)
    if db.session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def support(actor, proposal):
    """One support per participant per proposal, during the supports phase; only by accounts with a
    verified identity when the call requires one to support (Call.supports_require_identity).
    Withdrawing a support never needs one."""
    if not permissions.can_contribute(actor):
        raise NotAllowed(_l("Conferma il tuo indirizzo email per sostenere le proposte."))
    if not proposal.is_public:
        raise DomainError(_l("Si possono sostenere solo le proposte pubblicate."))
    if proposal.author_id == actor.id:
        raise DomainError(_l("Non puoi sostenere una tua proposta."))
    if not proposal.call.allows("support"):
        raise DomainError(_l("I sostegni non sono aperti in questa fase (%(phase)s).",
                             phase=proposal.call.phase.label))
    ensure_identity(actor, proposal.call.supports_require_identity)
    proposal = _lock_proposal(proposal)
    if has_supported(actor, proposal):
        raise DomainError(_l("Hai già sostenuto questa proposta."))
    identity_hash = actor.verified_identity.fiscal_hash if proposal.call.supports_require_identity else None
    if identity_hash and db.session.scalar(sa.select(Support.id).where(
            Support.proposal_id == proposal.id, Support.identity_hash == identity_hash)):
        raise DomainError(_l("Questa identità SPID/CIE ha già sostenuto la proposta con un altro account."))
    try:
        with db.session.begin_nested():
            db.session.add(Support(proposal_id=proposal.id, user_id=actor.id, identity_hash=identity_hash))
    except IntegrityError:
        raise DomainError(_l("Hai già sostenuto questa proposta.")) from None
    proposal.supports_count = Proposal.supports_count + 1
    db.session.flush()
    db.session.refresh(proposal, ["supports_count"])
    return proposal


def withdraw_support(actor, proposal):
    if not permissions.can_contribute(actor):
        raise NotAllowed(_l("Accedi per gestire i tuoi sostegni."))
    if not proposal.call.allows("support"):
        raise DomainError(_l("I sostegni non sono aperti in questa fase (%(phase)s).",
                             phase=proposal.call.phase.label))
    proposal = _lock_proposal(proposal)
    deleted = db.session.execute(
        sa.delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == actor.id)
    ).rowcount
    if not deleted:
        raise DomainError(_l("Non avevi sostenuto questa proposta."))
    proposal.supports_count = Proposal.supports_count - 1
    db.session.flush()
    db.session.refresh(proposal, ["supports_count"])
    return proposal


def has_supported(user, proposal):
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        sa.select(sa.func.count(Support.id)).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ) > 0


def supported_ids(user, proposal_ids):
    """Which of `proposal_ids` `user` supports (one query, for lists)."""
    if not getattr(user, "is_authenticated", False) or not proposal_ids:
        return set()
    return set(db.session.scalars(
        sa.select(Support.proposal_id).where(Support.user_id == user.id, Support.proposal_id.in_(proposal_ids))
    ))


