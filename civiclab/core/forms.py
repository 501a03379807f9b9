"""What every domain's routes share around forms: a service's refusal shown on the form, ids in
a list's filters."""
from flask import flash

from civiclab.core.errors import NotAllowed

MAX_ID = 2**31  # beyond any row's id (and what an INTEGER column can compare with)


def show_domain_error(form, error, on_form=False):
    """Show a service's DomainError on the field it names, else above the form: flashed, or
    (`on_form`) as one of the form's own errors.

    `form.FIELD_FOR_ERROR` may map the service's field name to the form's. NotAllowed is raised
    on, so the error handler answers 403.
    """
    if isinstance(error, NotAllowed):
        raise error
    name = getattr(form, "FIELD_FOR_ERROR", {}).get(error.field, error.field)
    if name and name in form:
        form[name].errors = [*form[name].errors, error.message]
    elif on_form:
        form.form_errors.append(error.message)
    else:
        flash(error.message, "danger")


def filter_id(value):
    """A positive id from a list's filter, or None (a number no row can have is None too)."""
    try:
        number = int(value) if value else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 0 < number < MAX_ID else None
