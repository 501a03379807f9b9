"""The role badges of many authors at once (one query), for pages that list what people wrote."""
import sqlalchemy as sa

from civiclab.accounts.models import role_badge
from civiclab.extensions import db
from civiclab.places.models import CityStaff, LabFacilitator


def role_badges(users):
    """{user id: badge} for those of `users` with a role (see `User.role_badge`), in one query."""
    users = {user.id: user for user in users if user is not None}
    if not users:
        return {}
    rows = db.session.execute(sa.union_all(
        sa.select(CityStaff.user_id, sa.literal("staff")).where(CityStaff.user_id.in_(users)),
        sa.select(LabFacilitator.user_id, sa.literal("facilitator")).where(LabFacilitator.user_id.in_(users)),
    )).all()
    kinds = {}
    for user_id, kind in rows:
        kinds.setdefault(user_id, set()).add(kind)
    badges = {}
    for user_id, user in users.items():
        held = kinds.get(user_id, set())
        badge = role_badge(user, "staff" in held, "facilitator" in held)
        if badge is not None:
            badges[user_id] = badge
    return badges
