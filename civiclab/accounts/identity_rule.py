"""The "solo con SPID/CIE" rule every domain's services apply: a call, an event or a support may
require a verified identity, and an account without one is refused with one clear message.

The refusal is a DomainError, not NotAllowed: pages show it where the action was tried (a flash, the
form) instead of an error page, and the API answers it 403 with the code `identity_required`
(api/errors.py), so a client knows that signing in with SPID or CIE, not another token, is the way.
"""
from flask_babel import lazy_gettext as _l

from civiclab.accounts.permissions import meets_identity_requirement
from civiclab.core.errors import DomainError

IDENTITY_NEEDED = _l("Per questa azione serve un'identità verificata: accedi con SPID o CIE, o collega la tua "
                     "identità dal profilo.")
# A guest books without an account, so without an identity: never where one is required.
GUEST_IDENTITY_NEEDED = _l("Questo evento è riservato a chi ha un'identità verificata: accedi con SPID o CIE "
                           "per prenotare.")


class IdentityRequired(DomainError):
    """The action needs an account with a verified (SPID/CIE) identity, and the actor has none."""

    def __init__(self, message=IDENTITY_NEEDED, field=None):
        super().__init__(message, field)


def ensure_identity(user, required):
    """Raise IdentityRequired unless `user` meets the requirement (`required`: the flag of the call
    or event; False lets everybody through)."""
    if not meets_identity_requirement(user, required):
        raise IdentityRequired()
