"""The one call every staff, facilitator and administrator action makes to leave a trace in the
audit log: `audit(actor, "project.amounts_edited", project, city_id=..., reason=..., old=..., new=...)`.

It only sends the `audited` signal (core knows no domain); the audit domain (civiclab/audit/)
listens and appends a row in the same transaction, so a rolled-back action leaves no trace and a
committed one always does.
"""
from civiclab.core.signals import audited


def audit(actor, action, subject=None, *, subject_type=None, subject_id=None, city_id=None, reason="",
          **details):
    """Record that `actor` (a User, or None for the system: a CLI command) did `action` to `subject`.

    `action` is "<domain>.<verb>" (e.g. "proposal.hidden", "role.staff_appointed", "backup.created").
    `subject` is a model row (its table name and id are taken), or give `subject_type`/`subject_id`.
    `city_id`: the city the action belongs to (a city's staff see their city's entries).
    `reason`: the reason the actor gave, when the action asks for one. `details`: plain JSON values.
    """
    actor = actor._get_current_object() if hasattr(actor, "_get_current_object") else actor  # current_user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # an anonymous proxy: nobody signed in (a CLI command, a system job)
    if subject is not None:
        subject_type = subject_type or getattr(subject, "__tablename__", type(subject).__name__.lower())
        subject_id = subject_id if subject_id is not None else getattr(subject, "id", None)
    audited.send(actor, action=action, subject_type=subject_type, subject_id=subject_id, city_id=city_id,
                 reason=reason or "", details=details)
