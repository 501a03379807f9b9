"""Comment pages: posting and replying (rate limited per person, on one budget), editing,
deleting, voting, reporting, and moderators hiding and restoring. Every action goes back to the
comment on its target's page; a form with errors is shown again, with the text typed, on its own
page. The thread itself is the comments section of its target's page (queries.comments_section).
"""
from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.comments import bp, permissions, queries, services
from civiclab.comments.forms import CommentForm, EditCommentForm, ReplyForm, VoteForm
from civiclab.comments.targets import target_of
from civiclab.core.errors import render_error, wants_json
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.kit import ButtonForm, ReasonForm, attempt, limit_writes, page

# Comments and replies share one budget per person.
limit_comments = limit_writes("RATELIMIT_COMMENT", shared="comment-posting")


@bp.errorhandler(429)
def too_many_comments(error):
    if request.endpoint in ("comments.post", "comments.reply"):
        return render_error(429, _("Stai commentando troppo in fretta: aspetta qualche minuto e riprova. "
                                   "Il testo che hai scritto non è stato pubblicato."))
    return render_error(429)


def _form_page(form, title, action_url, back_url, comment=None, stance=False, target_fields=None):
    return page("comments/form.html", form=form, title=title, action_url=action_url, back_url=back_url,
                comment=comment, show_stance=stance, target_fields=target_fields or {})


# ---- reading -------------------------------------------------------------------------------

@bp.get("/commenti/<id:comment_id>")
def comment(comment_id):
    """A comment's address (notifications link here): its place on its target's page."""
    return redirect(queries.comment_url(queries.load_comment(comment_id)))


# ---- writing -------------------------------------------------------------------------------

@bp.post("/commenti")
@login_required
@limit_comments
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def post():
    kind, target = queries.load_target(request.form)
    form = CommentForm()
    if form.validate_on_submit():
        posted = attempt(services.post_comment, current_user, form.body.data,
                         stance=form.stance.data if kind.takes_stance else None, **{kind.kind: target},
                         form=form, on_form=True)
        if posted:
            flash(_("Commento pubblicato."), "success")
            return redirect(queries.comment_url(posted.value))
    return _form_page(form, _("Commenta «%(title)s»", title=target.title), url_for("comments.post"),
                      queries.target_url(target), stance=kind.takes_stance,
                      target_fields={kind.column: target.id})


@bp.post("/commenti/<id:comment_id>/risposta")
@login_required
@limit_comments
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def reply(comment_id):
    parent = queries.load_comment(comment_id)
    form = ReplyForm()
    if form.validate_on_submit():
        posted = attempt(services.post_comment, current_user, form.body.data, parent=parent, form=form,
                         on_form=True)
        if posted:
            flash(_("Risposta pubblicata."), "success")
            return redirect(queries.comment_url(posted.value))
    return _form_page(form, _("Rispondi a %(name)s", name=parent.author.display_name),
                      url_for("comments.reply", comment_id=parent.id), queries.comment_url(parent),
                      comment=parent)


@bp.route("/commenti/<id:comment_id>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def edit(comment_id):
    comment = queries.load_comment(comment_id, for_="edit")
    if request.method == "GET" and not permissions.can_edit_comment(current_user, comment):
        flash(_("Questo commento non si può più modificare: sono passati più di 15 minuti, "
                "oppure è stato eliminato o nascosto."), "warning")
        return redirect(queries.comment_url(comment))
    form = EditCommentForm(data={"body": comment.body})
    if form.validate_on_submit() and attempt(services.edit_comment, current_user, comment, form.body.data,
                                             form=form, on_form=True):
        flash(_("Commento modificato."), "success")
        return redirect(queries.comment_url(comment))
    return _form_page(form, _("Modifica il tuo commento"), url_for("comments.edit", comment_id=comment.id),
                      queries.comment_url(comment))


@bp.post("/commenti/<id:comment_id>/elimina")
@login_required
@limit_writes()
def delete(comment_id):
    comment = queries.load_comment(comment_id, for_="delete")
    if not ButtonForm().validate_on_submit():
        abort(400)
    if attempt(services.delete_comment, current_user, comment):
        flash(_("Commento eliminato: le risposte restano, sotto un segnaposto."), "success")
    return redirect(queries.comment_url(comment))


@bp.post("/commenti/<id:comment_id>/voto")
@login_required
@limit_writes()
def vote(comment_id):
    comment = queries.load_comment(comment_id)
    form = VoteForm()
    if not form.validate_on_submit():
        if wants_json():
            return jsonify(error=_("Voto non valido.")), 400
        abort(400)
    # A refusal is flashed on the page, or (to a script) only answered.
    voted = attempt(services.vote, current_user, comment, int(form.value.data), form=form, on_form=wants_json())
    if wants_json():
        if not voted:
            return jsonify(error=str(voted.error.message)), 422
        comment = voted.value
        return jsonify(upvotes=comment.upvotes, downvotes=comment.downvotes, score=comment.score,
                       my_vote=services.vote_of(current_user, comment))
    return redirect(queries.comment_url(voted.value if voted else comment))


# ---- reports and moderation ----------------------------------------------------------------

def _reason_page(form, comment, endpoint, title, intro, button):
    """The page asking for the reason of a report, of hiding or of restoring `comment`."""
    return page("comments/reason.html", form=form, comment=comment, title=title, intro=intro,
                action_url=url_for(endpoint, comment_id=comment.id), button=button,
                back_url=queries.comment_url(comment), subject=target_of(comment)[1].title)


@bp.route("/commenti/<id:comment_id>/segnala", methods=["GET", "POST"])
@login_required
@limit_writes()
def report(comment_id):
    comment = queries.load_comment(comment_id)
    form = ReasonForm()
    if form.validate_on_submit() and attempt(services.report_comment, current_user, comment, form.reason.data,
                                             form=form, on_form=True):
        flash(_("Segnalazione ricevuta: i moderatori la esamineranno. Grazie."), "success")
        return redirect(queries.comment_url(comment))
    return _reason_page(form, comment, "comments.report", _("Segnala un commento"),
                        _("Spiega ai moderatori che cosa non va (offese, spam, dati personali…). "
                          "Chi ha scritto il commento non sa chi lo ha segnalato."),
                        _("Invia la segnalazione"))


@bp.route("/commenti/<id:comment_id>/nascondi", methods=["GET", "POST"])
@login_required
@limit_writes()
def hide(comment_id):
    comment = queries.load_comment(comment_id, for_="moderate")
    form = ReasonForm()
    if form.validate_on_submit() and attempt(services.hide_comment, current_user, comment, form.reason.data,
                                             form=form, on_form=True):
        flash(_("Commento nascosto. Il motivo è registrato e lo vede chi lo ha scritto."), "success")
        return redirect(queries.comment_url(comment))
    return _reason_page(form, comment, "comments.hide", _("Nascondi un commento"),
                        _("Al posto del testo si leggerà che il commento è stato nascosto dai moderatori; "
                          "il motivo lo vedono l’autore e i moderatori."),
                        _("Nascondi il commento"))


@bp.route("/commenti/<id:comment_id>/ripristina", methods=["GET", "POST"])
@login_required
@limit_writes()
def restore(comment_id):
    comment = queries.load_comment(comment_id, for_="moderate")
    form = ReasonForm()
    if form.validate_on_submit() and attempt(services.restore_comment, current_user, comment, form.reason.data,
                                             form=form, on_form=True):
        flash(_("Commento ripristinato: è di nuovo visibile a tutti."), "success")
        return redirect(queries.comment_url(comment))
    return _reason_page(form, comment, "comments.restore", _("Ripristina un commento"),
                        _("Il commento tornerà visibile a tutti. Scrivi perché: resta nel registro di moderazione."),
                        _("Ripristina il commento"))
