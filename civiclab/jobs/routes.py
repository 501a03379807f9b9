"""The failed-jobs page of administrators: the queue's counts, its failed jobs, Riprova and Elimina."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.jobs import QueueUnavailable
from civiclab.core.kit import ButtonForm, limit_writes
from civiclab.core.pagination import page_number
from civiclab.jobs import bp, queries, services


@bp.get("/gestione/code")
@login_required
def queue():
    queries.allowed(current_user)
    jobs_queue = queries.the_queue()
    if jobs_queue is None:
        return render_template("jobs/queue.html", inline=True)
    try:
        counts, failed = queries.overview(jobs_queue, page_number(), current_app.config["PER_PAGE"])
    except QueueUnavailable:
        current_app.logger.exception("the job queue does not answer")
        return render_template("jobs/queue.html", unavailable=True), 503
    return render_template("jobs/queue.html", counts=counts, failed=failed, queue_name=jobs_queue.name,
                           button=ButtonForm())


def _act(job_id, service, done):
    queries.allowed(current_user)
    jobs_queue = queries.the_queue()
    if jobs_queue is None:
        return render_template("jobs/queue.html", inline=True), 404
    form = ButtonForm()
    if form.validate_on_submit():
        service(current_user._get_current_object(), queries.load_failed_job(jobs_queue, job_id))
        flash(done, "success")
    else:
        flash(_("Il modulo è scaduto: ricarica la pagina e riprova."), "danger")
    return redirect(url_for("jobs.queue"))


@bp.post("/gestione/code/<job_id>/riprova")
@login_required
@limit_writes()
def requeue(job_id):
    return _act(job_id, services.requeue_job, _("Il lavoro è di nuovo in coda."))


@bp.post("/gestione/code/<job_id>/elimina")
@login_required
@limit_writes()
def delete(job_id):
    return _act(job_id, services.delete_job, _("Il lavoro è stato eliminato."))
