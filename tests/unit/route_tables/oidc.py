"""Route walk rows for SPID and CIE (accounts/identity_routes.py).

The walk's app has no gateway configured: starting a sign-in sends everyone back to the login
page (signed-in people to their profile), the return and the privacy step without a flow under
way do the same; linking and unlinking are for signed-in people, who go back to their profile.
"""
from tests.unit.route_tables.common import everyone, signed_in

ROUTES = {
    "accounts.identity_start": ("GET", lambda w: "/accedi/spid", everyone(302)),
    "accounts.identity_return": ("GET", lambda w: "/accedi/identita/ritorno?code=x&state=y", everyone(302)),
    "accounts.identity_new_account": ("GET", lambda w: "/accedi/identita/nuovo-account", everyone(302)),
    "accounts.identity_link": ("POST", lambda w: "/account/identita/collega/spid", signed_in(302)),
    "accounts.identity_unlink": ("POST", lambda w: "/account/identita/scollega", signed_in(302)),
}
