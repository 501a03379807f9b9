"""Comment pages: posting and replying (rate limited per person), editing, deleting, voting,
reporting, and moderators hiding and restoring. Every action goes back to the comment on its
project's or proposal's page; a form with errors is shown again, with the text typed, on its own page.
"""
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from civiclab.comments import bp
from civiclab.comments import (
    permissions,
    personal_data,  # noqa: F401  (the export sections and deletion rules)
    queries,
    services,
)
from civiclab.comments.forms import (
    CommentForm,
    ConfirmForm,
    EditCommentForm,
    ReasonForm,
    ReplyForm,
    VoteForm,
)
from civiclab.core.errors import DomainError, NotAllowed, render_error, wants_json
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import show_domain_error
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.core.urls import url_keeping_query
from civiclab.extensions import db, limiter
from civiclab.moderation import services as moderation
from civiclab.programmes.models import Project
from civiclab.programmes.permissions import can_view_project
from civiclab.proposals.models import Proposal
from civiclab.proposals.permissions import can_view_proposal


# The query arguments of the section on its host page (the page may paginate something else).
SORT_ARG = "ordine_commenti"
PAGE_ARG = "pagina_commenti"


def _poster_id():
    return f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr or "anonymous"


# Comments and replies share one budget per person (RATELIMIT_COMMENT).
comment_limit = limiter.shared_limit(lambda: current_app.config["RATELIMIT_COMMENT"], scope="comment-posting",
                                     key_func=_poster_id, methods=["POST"])


@bp.errorhandler(429)
def too_many_comments(error):
    if request.endpoint in ("comments.post", "comments.reply"):
        return render_error(429, _("Stai commentando troppo in fretta: aspetta qualche minuto e riprova. "
                                   "Il testo che hai scritto non è stato pubblicato."))
    return render_error(429)


# ---- the section on a project's or a proposal's page ---------------------------------------

def thread_for(project=None, proposal=None):
    """The `thread` a host page passes to templates/comments/_section.html."""
    page = page_number(MultiDict({"page": request.args.get(PAGE_ARG, "1")}))
    return queries.load_thread(current_user, project=project, proposal=proposal,
                               sort=request.args.get(SORT_ARG, "oldest"), page=page)


@bp.app_template_global()
def comments_list_url(thread, sort=None, page=None):
    """The thread's page with the section's order or page changed, landing on the section (the
    page's other arguments kept, unless it was shown again after a failed POST)."""
    on_its_page = request.method == "GET" and request.endpoint in ("programmes.project", "proposals.proposal")
    changes = {}
    if sort is not None:
        changes = {SORT_ARG: sort, PAGE_ARG: None}
    if page is not None:
        changes[PAGE_ARG] = page
    if thread.proposal is not None:
        endpoint, values = "proposals.proposal", {"proposal_id": thread.proposal.id}
    else:
        endpoint, values = "programmes.project", {"code": thread.project.code}
    return url_keeping_query(endpoint, values, request.args if on_its_page else (), anchor="commenti", **changes)


def subject_url(project=None, proposal=None, comment=None):
    """The page of the comment's subject, at the comment (on its thread's page of the section)."""
    args = {}
    if comment is not None:
        project = comment.project if comment.project_id is not None else None
        proposal = comment.proposal if comment.proposal_id is not None else None
        page = queries.page_of(comment)
        if page > 1:
            args[PAGE_ARG] = page
        args["_anchor"] = f"commento-{comment.id}"
    else:
        args["_anchor"] = "commenti"
    if proposal is not None:
        return url_for("proposals.proposal", proposal_id=proposal.id, **args)
    return url_for("programmes.project", code=project.code, **args)


def subject_title(comment):
    if comment.proposal_id is not None:
        return comment.proposal.title
    return comment.project.title


def _viewable_comment(comment_id):
    comment = db.first_or_404(queries.comment_select(comment_id))
    if not permissions.can_view_comment(current_user, comment):
        abort(404)  # a comment on what one may not see does not exist for them
    return comment


def _form_page(form, title, action_url, back_url, comment=None, status=422, stance=False):
    return render_template("comments/form.html", form=form, title=title, action_url=action_url,
                           back_url=back_url, comment=comment, show_stance=stance), status


# ---- reading -------------------------------------------------------------------------------

@bp.get("/commenti/<id:comment_id>")
def comment(comment_id):
    """A comment's address (notifications link here): its place on its subject's page."""
    return redirect(subject_url(comment=_viewable_comment(comment_id)))


# ---- writing -------------------------------------------------------------------------------

@bp.post("/commenti")
@login_required
@comment_limit
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def post():
    form = CommentForm()
    project_id, proposal_id = form.subject_ids()
    if (project_id is None) == (proposal_id is None):
        abort(400)  # the section always sends exactly one subject
    if proposal_id is not None:
        proposal, project = db.get_or_404(Proposal, proposal_id), None
        if not can_view_proposal(current_user, proposal):
            abort(404)
    else:
        project, proposal = db.get_or_404(Project, project_id), None
        if not can_view_project(current_user, project):
            abort(404)
    back_url = subject_url(project=project, proposal=proposal)
    if form.validate_on_submit():
        try:
            comment = services.post_comment(current_user, form.body.data, project=project, proposal=proposal,
                                            stance=form.stance.data if proposal is not None else None)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            flash(_("Commento pubblicato."), "success")
            return redirect(subject_url(comment=comment))
    title = _("Commenta «%(title)s»", title=(proposal or project).title)
    return _form_page(form, title, url_for("comments.post"), back_url, stance=proposal is not None)


@bp.post("/commenti/<id:comment_id>/risposta")
@login_required
@comment_limit
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def reply(comment_id):
    parent = _viewable_comment(comment_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            comment = services.post_comment(current_user, form.body.data, parent=parent)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            flash(_("Risposta pubblicata."), "success")
            return redirect(subject_url(comment=comment))
    title = _("Rispondi a %(name)s", name=parent.author.display_name)
    return _form_page(form, title, url_for("comments.reply", comment_id=parent.id),
                      subject_url(comment=parent), comment=parent)


@bp.route("/commenti/<id:comment_id>/modifica", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def edit(comment_id):
    comment = _viewable_comment(comment_id)
    require(comment.author_id == current_user.id)
    if request.method == "GET" and not permissions.can_edit_comment(current_user, comment):
        flash(_("Questo commento non si può più modificare: sono passati più di 15 minuti, "
                "oppure è stato eliminato o nascosto."), "warning")
        return redirect(subject_url(comment=comment))
    form = EditCommentForm(data={"body": comment.body})
    if form.validate_on_submit():
        try:
            services.edit_comment(current_user, comment, form.body.data)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            flash(_("Commento modificato."), "success")
            return redirect(subject_url(comment=comment))
    status = 422 if request.method == "POST" else 200
    return _form_page(form, _("Modifica il tuo commento"), url_for("comments.edit", comment_id=comment.id),
                      subject_url(comment=comment), status=status)


@bp.post("/commenti/<id:comment_id>/elimina")
@login_required
@limiter.limit(write_limit)
def delete(comment_id):
    comment = _viewable_comment(comment_id)
    require(permissions.can_delete_comment(current_user, comment))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_comment(current_user, comment)
    except NotAllowed:
        raise
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("Commento eliminato: le risposte restano, sotto un segnaposto."), "success")
    return redirect(subject_url(comment=comment))


@bp.post("/commenti/<id:comment_id>/voto")
@login_required
@limiter.limit(write_limit)
def vote(comment_id):
    comment = _viewable_comment(comment_id)
    form = VoteForm()
    if not form.validate_on_submit():
        if wants_json():
            return jsonify(error=_("Voto non valido.")), 400
        abort(400)
    try:
        comment = services.vote(current_user, comment, int(form.value.data))
    except NotAllowed:
        raise
    except DomainError as error:
        if wants_json():
            return jsonify(error=str(error.message)), 422
        flash(error.message, "danger")
    else:
        if wants_json():
            return jsonify(upvotes=comment.upvotes, downvotes=comment.downvotes, score=comment.score,
                           my_vote=services.vote_of(current_user, comment))
    return redirect(subject_url(comment=comment))


# ---- reports and moderation ----------------------------------------------------------------

def _reason_action(comment, act, done, title, intro, endpoint, button):
    """A form asking for a reason: on a valid POST `act(reason)` runs and the reader goes back to
    the comment with `done` flashed; otherwise (or on the service's refusal) the page again."""
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            act(form.reason.data)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            flash(done, "success")
            return redirect(subject_url(comment=comment))
    status = 422 if request.method == "POST" else 200
    return render_template("comments/reason.html", form=form, comment=comment, title=title, intro=intro,
                           action_url=url_for(endpoint, comment_id=comment.id), button=button,
                           back_url=subject_url(comment=comment), subject=subject_title(comment)), status


@bp.route("/commenti/<id:comment_id>/segnala", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def report(comment_id):
    comment = _viewable_comment(comment_id)

    def act(reason):
        if not comment.is_visible:
            raise DomainError(_("Questo commento non è visibile: non serve segnalarlo."))
        moderation.report(current_user, comment, reason)

    return _reason_action(comment, act, _("Segnalazione ricevuta: i moderatori la esamineranno. Grazie."),
                          _("Segnala un commento"),
                          _("Spiega ai moderatori che cosa non va (offese, spam, dati personali…). "
                            "Chi ha scritto il commento non sa chi lo ha segnalato."),
                          "comments.report", _("Invia la segnalazione"))


@bp.route("/commenti/<id:comment_id>/nascondi", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def hide(comment_id):
    comment = _viewable_comment(comment_id)
    require(permissions.can_moderate_comment(current_user, comment))
    return _reason_action(comment, lambda reason: moderation.hide_comment(current_user, comment, reason),
                          _("Commento nascosto. Il motivo è registrato e lo vede chi lo ha scritto."),
                          _("Nascondi un commento"),
                          _("Al posto del testo si leggerà che il commento è stato nascosto dai moderatori; "
                            "il motivo lo vedono l’autore e i moderatori."),
                          "comments.hide", _("Nascondi il commento"))


@bp.route("/commenti/<id:comment_id>/ripristina", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def restore(comment_id):
    comment = _viewable_comment(comment_id)
    require(permissions.can_moderate_comment(current_user, comment))
    return _reason_action(comment, lambda reason: moderation.restore_comment(current_user, comment, reason),
                          _("Commento ripristinato: è di nuovo visibile a tutti."),
                          _("Ripristina un commento"),
                          _("Il commento tornerà visibile a tutti. Scrivi perché: resta nel registro di moderazione."),
                          "comments.restore", _("Ripristina il commento"))
