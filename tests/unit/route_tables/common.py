"""The roles the route walk signs in as, and shorthands for who gets what."""
ROLES = ("anonymous", "participant", "facilitator", "other_staff", "staff", "admin")


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status, anonymous=302):
    """Any signed-in user gets `status`; anonymous visitors are sent to log in."""
    return {**everyone(status), "anonymous": anonymous}


def managers(allowed, refused=403, anonymous=302, other_staff=None):
    """Staff of the city and administrators get `allowed`; the rest `refused`."""
    table = {**everyone(refused), "staff": allowed, "admin": allowed, "anonymous": anonymous}
    if other_staff is not None:
        table["other_staff"] = other_staff
    return table


def admins_only(allowed, refused=403, anonymous=302):
    return {**everyone(refused), "admin": allowed, "anonymous": anonymous}
