"""Who may see and handle the job queue (pure functions)."""
from civiclab.core.permissions import is_admin


def can_see_jobs(user):
    """Administrators only: a failed job names what the site was doing for whom."""
    return is_admin(user)
