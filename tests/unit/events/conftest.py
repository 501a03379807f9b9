import pytest

from civiclab.accounts.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationVerification,
    ParticipantType,
)
from civiclab.core.time import utcnow
from civiclab.events.models import Registration, RegistrationState


@pytest.fixture
def teacher(db_session, make_user):
    """A teacher acting for her school (verified by the city's staff), which may book a class."""
    user = make_user(participant_type=ParticipantType.SCUOLA, display_name="Giulia Neri")
    school = Organisation(name="IC 12 Bologna", name_key="ic 12 bologna", kind=ParticipantType.SCUOLA,
                          verification=OrganisationVerification.VERIFIED)
    db_session.add_all([school, Membership(organisation=school, user=user, status=MembershipStatus.ACTIVE)])
    db_session.commit()
    db_session.refresh(user)
    return user, school


@pytest.fixture
def register(db_session):
    """A registration made straight in the database (the booking rules are tested elsewhere)."""

    def factory(event, user=None, guest_name=None, seats=1, state=RegistrationState.CONFIRMED,
                participant_type=None, guest_email=None, **fields):
        if user is None and guest_email is None:
            guest_email = f"{(guest_name or 'ospite').split()[0].lower()}@example.org"
        registration = Registration(
            event=event, user=user, guest_name=guest_name, guest_email=guest_email,
            seats=seats, state=state,
            participant_type=participant_type or (user.participant_type if user else ParticipantType.CITTADINO),
            confirmed_at=utcnow() if state is RegistrationState.CONFIRMED else None, **fields,
        )
        db_session.add(registration)
        if state is RegistrationState.CONFIRMED:
            event.confirmed_seats += seats
        db_session.commit()
        return registration

    return factory
