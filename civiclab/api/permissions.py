"""Who may do what with personal access tokens (pure functions)."""
from civiclab.core.permissions import is_authenticated


def can_make_tokens(user):
    """A signed-in person with a confirmed email (a block is the service's check: it says why)."""
    return is_authenticated(user) and user.is_confirmed


def owns_token(user, token):
    """A token is seen and revoked by its own person only."""
    return is_authenticated(user) and token.user_id == user.id
