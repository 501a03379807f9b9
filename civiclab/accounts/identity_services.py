"""Verified identities (SPID, CIE): from a gateway's claims to an account, and the rules of linking.

The fiscal number is the person: normalised (no "TINIT-" prefix, upper case) so the same person
through SPID and through CIE is recognised as one, checked as an Italian codice fiscale, and kept
only as HMAC-SHA256 with IDENTITY_HASH_KEY (SECRET_KEY when unset) plus a masked form for pages.
An address the gateway vouches for is taken as confirmed; one that already belongs to another
account is never linked automatically (whoever controls the identity would take that account).
"""
import hashlib
import hmac
import re
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from civiclab.accounts import mails, oidc
from civiclab.accounts.identities import IDENTITY_KINDS, VerifiedIdentity
from civiclab.accounts.models import ParticipantType, User
from civiclab.accounts.names import check_display_name
from civiclab.accounts.oidc import FISCAL_NUMBER_CLAIMS
from civiclab.accounts.services import LANGUAGES, find_user_by_email, normalise_email
from civiclab.core import signals
from civiclab.core.audit import audit
from civiclab.core.errors import DomainError
from civiclab.core.time import utcnow
from civiclab.extensions import db

# A codice fiscale: 6 letters (surname, name), year, month letter, day, place, check letter; the
# digits may be replaced by letters (omocodia: two people who would otherwise share one).
_DIGIT = "[0-9LMNPQRSTUV]"
FISCAL_NUMBER = re.compile(rf"[A-Z]{{6}}{_DIGIT}{{2}}[ABCDEHLMPRST]{_DIGIT}{{2}}[A-Z]{_DIGIT}{{3}}[A-Z]")
_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8,
                 12, 14, 16, 10, 22, 25, 24, 23], strict=True))


@dataclass
class Person:
    """A person as a gateway vouched for them, without the fiscal number in clear."""

    kind: str
    issuer: str
    subject: str
    fiscal_hash: str
    fiscal_masked: str
    display_name: str
    email: str  # "" when the gateway gave none

    def as_dict(self):
        return asdict(self)


def _check_letter(code):
    total = sum(_ODD[c] if i % 2 == 0 else (int(c) if c.isdigit() else ord(c) - ord("A"))
                for i, c in enumerate(code[:15]))
    return chr(ord("A") + total % 26)


def normalise_fiscal_number(value):
    """"TINIT-rssmra80a01h501u " -> "RSSMRA80A01H501U"; DomainError when it is not a codice fiscale."""
    code = re.sub(r"\s+", "", str(value or "")).upper()
    code = code.removeprefix("TINIT-")
    if not FISCAL_NUMBER.fullmatch(code) or _check_letter(code) != code[15]:
        raise DomainError(_("Il gestore dell'identità non ha comunicato un codice fiscale valido: "
                            "l'accesso con SPID o CIE non è possibile."))
    return code


def fiscal_hash(code):
    key = current_app.config.get("IDENTITY_HASH_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()


def mask_fiscal_number(code):
    """"RSSMRA80A01H501U" -> "RSS***********1U": enough to recognise one's own, not to read it."""
    return code[:3] + "*" * (len(code) - 5) + code[-2:]


def fiscal_number_of(claims):
    return next((claims[name] for name in FISCAL_NUMBER_CLAIMS if claims.get(name)), None)


def person_from(assertion):
    """The Person an Assertion (accounts/oidc.py) vouches for; DomainError without a fiscal number."""
    claims = assertion.claims
    fiscal_number = fiscal_number_of(claims)
    if not fiscal_number:
        raise DomainError(_("Il gestore dell'identità non ha comunicato il codice fiscale: "
                            "l'accesso con SPID o CIE non è possibile."))
    code = normalise_fiscal_number(fiscal_number)
    name = " ".join(str(claims.get(part) or "").strip() for part in ("given_name", "family_name")).strip()
    name = name or str(claims.get("name") or "").strip()
    email = normalise_email(str(claims.get("email") or ""))
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        email = ""
    return Person(kind=assertion.kind if assertion.kind in IDENTITY_KINDS else "spid",
                  issuer=assertion.issuer[:300], subject=assertion.subject[:255],
                  fiscal_hash=fiscal_hash(code), fiscal_masked=mask_fiscal_number(code),
                  display_name=" ".join(name.split())[:80], email=email)


def verified_person(args):
    """The gateway's answer (`args`: the return's query) checked (accounts/oidc.py): the Assertion
    and the Person it vouches for; IdentityProblem or DomainError when anything is wrong."""
    assertion = oidc.finish(args)
    return assertion, person_from(assertion)


def identity_for(fiscal_hash_value):
    return db.session.scalar(sa.select(VerifiedIdentity).where(VerifiedIdentity.fiscal_hash == fiscal_hash_value))


# ---- signing in and creating ------------------------------------------------------------

def account_refused():
    return DomainError(_("Non è possibile accedere a questo account: è stato chiuso o sospeso."))


def user_for(person):
    """The account the person's identity is linked to (its last sign-in noted), or None."""
    identity = identity_for(person.fiscal_hash)
    if identity is None:
        return None
    if not identity.user.is_active:
        raise account_refused()
    identity.kind, identity.issuer, identity.subject = person.kind, person.issuer, person.subject
    identity.last_login_at = utcnow()
    db.session.flush()
    return identity.user


def check_email_free(email):
    """Refuse an address that already has an account: it is linked only from that account."""
    if email and find_user_by_email(email) is not None:
        raise DomainError(_("Esiste già un account CivicLab con l'indirizzo email della tua identità "
                            "digitale. Accedi con email e password, poi collega SPID o CIE dal tuo "
                            "profilo."), field="email")


def create_account(person, *, display_name, email="", privacy_consent=False, locale="it"):
    """A new participant signed in by their identity: no password (the password sign-in refuses
    it), the address confirmed when the gateway vouched for it, else mailed a confirmation."""
    if not privacy_consent:
        raise DomainError(_("Per creare l'account devi accettare l'informativa sulla privacy."),
                          field="privacy_consent")
    if identity_for(person.fiscal_hash) is not None:
        raise DomainError(_("Questa identità digitale è già collegata a un account: accedi di nuovo con SPID o CIE."))
    vouched = bool(person.email)
    email = person.email or normalise_email(email)
    if not email:
        raise DomainError(_("L'indirizzo email è obbligatorio."), field="email")
    check_email_free(email)
    display_name = check_display_name(None, display_name)
    now = utcnow()
    user = User(email=email, display_name=display_name, participant_type=ParticipantType.CITTADINO,
                locale=locale if locale in LANGUAGES else "it", bio="", privacy_consent_at=now,
                email_confirmed_at=now if vouched else None, password_hash=None)
    identity = VerifiedIdentity(user=user, kind=person.kind, issuer=person.issuer, subject=person.subject,
                                fiscal_hash=person.fiscal_hash, fiscal_masked=person.fiscal_masked,
                                linked_at=now, last_login_at=now)
    try:
        with db.session.begin_nested():
            db.session.add_all([user, identity])
            db.session.flush()
    except IntegrityError:  # the same address or identity a moment ago, in another request
        raise DomainError(_("Esiste già un account con questi dati: accedi di nuovo.")) from None
    signals.user_registered.send(user)
    if vouched:
        signals.user_confirmed.send(user)
    else:
        mails.send_confirmation(user)
    return user


# ---- linking and unlinking --------------------------------------------------------------

def link_identity(user, person):
    """Link the person's identity to `user`, a confirmed account of their own."""
    if not user.is_confirmed:
        raise DomainError(_("Conferma prima il tuo indirizzo email, poi collega SPID o CIE."))
    existing = identity_for(person.fiscal_hash)
    if existing is not None and existing.user_id != user.id:
        raise DomainError(_("Questa identità digitale è già collegata a un altro account CivicLab: "
                            "non può essere collegata anche a questo."))
    current = user.verified_identity
    if current is not None and current.fiscal_hash != person.fiscal_hash:
        raise DomainError(_("Il tuo account è già collegato a un'altra identità digitale: scollegala prima."))
    if current is None:
        current = VerifiedIdentity(user=user, fiscal_hash=person.fiscal_hash, linked_at=utcnow())
        db.session.add(current)
    current.kind, current.issuer, current.subject = person.kind, person.issuer, person.subject
    current.fiscal_masked = person.fiscal_masked
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_("Questa identità digitale è già collegata a un altro account CivicLab: "
                            "non può essere collegata anche a questo.")) from None
    audit(user, "identity.linked", current, kind=current.kind)
    return current


def unlink_identity(user, password):
    """Remove the account's identity; the password proves it is its owner, and an account without
    one keeps its only way in."""
    identity = user.verified_identity
    if identity is None:
        raise DomainError(_("Il tuo account non è collegato a SPID o CIE."))
    if not user.password_hash:
        raise DomainError(_("SPID o CIE è l'unico modo di accedere al tuo account: imposta prima una "
                            "password (con «Hai dimenticato la password?»), poi potrai scollegarlo."))
    if not user.check_password(password or ""):
        raise DomainError(_("La password non è corretta."), field="password")
    audit(user, "identity.unlinked", identity, kind=identity.kind)
    user.verified_identity = None
    db.session.flush()
    return user
