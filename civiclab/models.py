"""Imports every domain's models so SQLAlchemy and Alembic see the whole schema."""
from civiclab.core.form_keys import FormKey  # noqa: F401
from civiclab.accounts.models import Membership, MembershipStatus, Organisation, ParticipantType, User, UserSession  # noqa: F401
from civiclab.accounts.blocks import UserBlock  # noqa: F401
from civiclab.accounts.identities import VerifiedIdentity  # noqa: F401
from civiclab.places.models import City, CityStaff, Lab, LabFacilitator  # noqa: F401
from civiclab.audit.models import AuditEntry  # noqa: F401
from civiclab.programmes.models import Action, Axis, AxisBudget, CityPlan, FinancialSnapshot, Programme, Project  # noqa: F401
from civiclab.events.models import Event, EventAudience, EventState, Registration, RegistrationState  # noqa: F401
from civiclab.notifications.models import Notification  # noqa: F401
from civiclab.notifications.models import NotificationPreference  # noqa: F401
from civiclab.proposals.models import Attachment, Call, CallTheme, Proposal, ProposalTransition, Support  # noqa: F401
from civiclab.proposals.models import UploadRecord  # noqa: F401
from civiclab.comments.models import Comment, CommentVote  # noqa: F401
from civiclab.moderation.models import ModerationAction, Report  # noqa: F401
from civiclab.follows.models import Follow  # noqa: F401
from civiclab.rooms.models import Message, Room, RoomKind, RoomMember, RoomMute, RoomRead  # noqa: F401
from civiclab.outcomes.models import Milestone, Outcome, OutcomeAttachment, OutcomeEvent, OutcomeProposal, OutcomeStatus  # noqa: F401
from civiclab.api.models import AccessToken  # noqa: F401
