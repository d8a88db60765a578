"""Classroom sessions: the academy's list and scheduling, a session's page (participants, attendance), the
printable attendance sheet, and the trainer's own sessions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.academy import services as academies
from app.academy.models import Academy
from app.curriculum import services as curriculum
from app.extensions import db
from app.foundation.decorators import roles_required
from app.foundation.errors import ServiceError
from app.foundation.forms import ActionForm
from app.foundation.roles import Role

from . import services
from .forms import ParticipantsForm, ResultsUploadForm, SessionForm

bp = Blueprint("classroom", __name__)
staff = roles_required(Role.ACADEMY_ADMIN, Role.PLATFORM_ADMIN)
viewers = roles_required(Role.ACADEMY_ADMIN, Role.PLATFORM_ADMIN, Role.TRAINER)


def _academy(slug):
    return academies.academy_for(current_user, slug) or abort(404)


def _session(session_id):
    return services.session_for(current_user, session_id) or abort(404)


@bp.route("/academies/<slug>/sessions", methods=["GET", "POST"])
@staff
def sessions(slug):
    academy = _academy(slug)
    form = SessionForm()
    courses = curriculum.catalogue()
    form.course.choices = [(c["course"].id, c["course"].title) for c in courses]
    form.modules.choices = [(m.id, f"{c['course'].prong} {m.position}: {v.title}") for c in courses
                            for m, v, _ in c["modules"]]
    form.trainers.choices = [(t.id, t.name) for t in services.trainers_of(academy)]
    form.partners.choices = [(a.id, f"{a.name} ({a.country_code})") for a in
                             db.session.scalars(db.select(Academy).filter(Academy.id != academy.id).order_by(Academy.name))]
    if form.validate_on_submit():
        try:
            session = services.schedule(
                current_user, academy, course_id=form.course.data, module_ids=form.modules.data or None,
                title=form.title.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data, place=form.place.data,
                pass_mark=form.pass_mark.data, trainer_ids=form.trainers.data, partner_ids=form.partners.data or [])
        except ServiceError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Session scheduled."), "success")
            return redirect(url_for(".session", session_id=session.id))
    return render_template("classroom/sessions.html", academy=academy, sessions=services.sessions_of(academy),
                           form=form)


@bp.route("/sessions/<int:session_id>")
@viewers
def session(session_id):
    item = _session(session_id)
    mine = current_user.academy if current_user.role == Role.ACADEMY_ADMIN else item.academy
    return render_template("classroom/session.html", session=item, modules=services.session_modules(item),
                           may_record=services.may_record(current_user, item), add_form=ParticipantsForm(),
                           upload_form=ResultsUploadForm(), form=ActionForm(), my_academy=mine,
                           may_add=current_user.role in (Role.ACADEMY_ADMIN, Role.PLATFORM_ADMIN))


@bp.route("/sessions/<int:session_id>/participants", methods=["POST"])
@staff
def add_participants(session_id):
    item = _session(session_id)
    form = ParticipantsForm()
    if not form.validate_on_submit():
        abort(400)
    academy = current_user.academy if current_user.role == Role.ACADEMY_ADMIN else item.academy
    try:
        added = services.add_participants(current_user, item, academy, form.identifiers.data.splitlines())
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("%(n)d participant(s) added.", n=added), "success")
    return redirect(url_for(".session", session_id=item.id))


@bp.route("/sessions/<int:session_id>/participants/<int:participant_id>/remove", methods=["GET", "POST"])
@staff
def remove_participant(session_id, participant_id):
    """GET asks for confirmation; POST removes the participant (not once attendance is recorded)."""
    item = _session(session_id)
    participant = next((p for p in item.participants if p.id == participant_id), None) or abort(404)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.remove_participant(current_user, item, participant_id)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Participant removed."), "success")
        return redirect(url_for(".session", session_id=item.id))
    return render_template("classroom/remove.html", session=item, participant=participant, form=form)


@bp.route("/sessions/<int:session_id>/sheet")
@viewers
def sheet(session_id):
    """The attendance sheet to print, one line per participant with room to sign."""
    item = _session(session_id)
    return render_template("classroom/sheet.html", session=item, modules=services.session_modules(item))


@bp.route("/sessions/<int:session_id>/attendance", methods=["POST"])
@viewers
def attendance(session_id):
    """The attendance form: for each participant, present or not and the paper test score."""
    item = _session(session_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    results, bad = {}, []
    for p in item.participants:
        raw = (request.form.get(f"score-{p.id}") or "").strip()
        try:
            score = int(raw) if raw else None
        except ValueError:
            bad.append(p.user.name)
            continue
        if score is not None and not 0 <= score <= 100:
            bad.append(p.user.name)
            continue
        results[p.user_id] = services.Result(request.form.get(f"attended-{p.id}") == "on", score)
    if bad:
        flash(_("A test score is a percentage from 0 to 100; check: %(names)s. Nothing was recorded.",
                names=", ".join(bad)), "error")
        return redirect(url_for(".session", session_id=item.id))
    return _record(item, results)


@bp.route("/sessions/<int:session_id>/attendance.csv", methods=["POST"])
@viewers
def attendance_csv(session_id):
    item = _session(session_id)
    form = ResultsUploadForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".session", session_id=item.id))
    try:
        results = services.parse_results_csv(item, form.file.data.read(2_000_001)[:2_000_000])
    except ServiceError as exc:
        flash(exc.message + " " + _("Nothing was recorded."), "error")
        return redirect(url_for(".session", session_id=item.id))
    return _record(item, results)


def _record(item, results):
    try:
        completed = services.record(current_user, item, results)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message + " " + _("Nothing was recorded."), "error")
    else:
        db.session.commit()
        flash(_("Attendance recorded; %(n)d participant(s) completed the session's modules.", n=completed), "success")
    return redirect(url_for(".session", session_id=item.id))


@bp.route("/teach/")
@roles_required(Role.TRAINER)
def teaching():
    """A trainer's own sessions (only these: a trainer sees no other session or participant)."""
    return render_template("classroom/teaching.html", sessions=services.sessions_taught_by(current_user))
