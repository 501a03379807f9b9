"""The route kit: what every domain's routes share, written once.

A route reads the same way in every domain::

    @bp.route("/proposte/<id:proposal_id>/ritira", methods=["GET", "POST"])
    @login_required
    @limit_writes()
    def withdraw(proposal_id):
        proposal = load_proposal(proposal_id, for_="withdraw")      # 404 / 403 in the loader
        form = WithdrawForm()
        if form.validate_on_submit() and attempt(services.withdraw_proposal, current_user, proposal,
                                                 form.reason.data, form=form):
            flash(_("Proposta ritirata."), "success")
            return redirect(url_for("proposals.proposal", proposal_id=proposal.id))
        return page("proposals/withdraw.html", form=form, proposal=proposal)

- ids come through the `<id:…>` converter (core/converters.py): no route checks a range;
- `attempt(call, *args, form=…)` runs a service call in a savepoint; a `DomainError` is undone and
  shown on the form's field it names, above the form, or in a flash; `NotAllowed` goes on to the
  error handler (403);
- `page(template, **context)` answers 422 when a form is shown again after a POST, 200 otherwise;
- `ButtonForm` is a button that needs only its CSRF token, `ReasonForm` a required reason;
- `limit_writes()` limits a view's writes (POST), counted per person (per address for visitors).
"""
from flask import current_app, flash, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from civiclab.core.errors import DomainError, NotAllowed
from civiclab.extensions import db, limiter

REASON_MAX = 2_000  # a reason given to a moderator or logged with a decision


# ---- running a service call ----------------------------------------------------------------

class Attempt:
    """What `attempt` returns: true when the call went through; `value` is what it returned,
    `error` the DomainError that refused it."""

    __slots__ = ("error", "value")

    def __init__(self, value=None, error=None):
        self.value, self.error = value, error

    def __bool__(self):
        return self.error is None


def attempt(call, *args, form=None, on_form=False, **kwargs):
    """Run `call(*args, **kwargs)`; on a DomainError undo what it wrote and show the message.

    The message goes on `form`'s field the error names (`form.FIELD_FOR_ERROR` may map the
    service's name to the form's), else above the form when `on_form`, else in a flash.
    NotAllowed is raised on, so the error handler answers 403.
    """
    savepoint = db.session.begin_nested()
    try:
        value = call(*args, **kwargs)
    except NotAllowed:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    except DomainError as error:
        if savepoint.is_active:
            savepoint.rollback()
        show_domain_error(form, error, on_form=on_form)
        return Attempt(error=error)
    if savepoint.is_active:
        savepoint.commit()
    return Attempt(value)


def show_domain_error(form, error, on_form=False):
    """Show a service's DomainError on the field it names, else above the form (`on_form`: as
    one of the form's own errors), else in a flash. NotAllowed is raised on (403)."""
    if isinstance(error, NotAllowed):
        raise error
    if form is not None:
        name = getattr(form, "FIELD_FOR_ERROR", {}).get(error.field, error.field)
        if name and name in form:
            form[name].errors = [*form[name].errors, error.message]
            return
        if on_form:
            form.form_errors.append(error.message)
            return
    flash(error.message, "danger")


# ---- answering -----------------------------------------------------------------------------

def form_status():
    """422 when a page shows a form again after a POST (it did not go through), else 200."""
    return 422 if request.method == "POST" else 200


def page(template, status=None, **context):
    """`template` rendered with `context`; the status is `form_status()` unless given."""
    return render_template(template, **context), status or form_status()


# ---- forms ---------------------------------------------------------------------------------

class ButtonForm(FlaskForm):
    """A button that needs only its CSRF token (publish, support, delete, follow, …)."""


def reason_field(label=None, rows=3, **kwargs):
    return TextAreaField(
        label or _l("Motivo"), render_kw={"rows": rows},
        validators=[DataRequired(_l("Scrivi il motivo.")),
                    Length(max=REASON_MAX, message=_l("Il motivo può avere al massimo %(max)d caratteri."))],
        **kwargs,
    )


class ReasonForm(FlaskForm):
    """A decision or a report that needs its reason (hide, restore, delete, lock, report, …)."""

    reason = reason_field()


# ---- rate limits ---------------------------------------------------------------------------

def person_key():
    """Who a limit counts: the signed-in person (on every device and address), else the address."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address() or "unknown"


def _failed(response):
    return response.status_code >= 400


def limit_writes(key="RATELIMIT_WRITE", *, per=person_key, shared=None, failures_only=False):
    """Rate-limit a view's writes (its POSTs; GETs are free) by the config value `key`.

    `per` names who is counted (the person by default); `shared` puts several views on one
    budget (e.g. comments and replies); `failures_only` counts only POSTs answered 4xx, so many
    people behind one address are not held back by each other's successes (sign-in).
    """
    def amount():
        return current_app.config[key]

    options = {"methods": ["POST"], "key_func": per}
    if failures_only:
        options["deduct_when"] = _failed
    if shared:
        return limiter.shared_limit(amount, scope=shared, **options)
    return limiter.limit(amount, **options)
