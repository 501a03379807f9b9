"""Ids in a list's filters (the route kit, core/kit.py, shows a service's refusal on a form)."""
MAX_ID = 2**31  # beyond any row's id (and what an INTEGER column can compare with)


def filter_id(value):
    """A positive id from a list's filter, or None (a number no row can have is None too)."""
    try:
        number = int(value) if value else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 0 < number < MAX_ID else None
