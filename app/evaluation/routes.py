"""The questionnaires for trainees, and the aggregates for coordinators and academy administrators."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.coverage.services import Scope
from app.curriculum.models import Course
from app.extensions import db
from app.foundation import disclosure
from app.foundation.decorators import roles_required
from app.foundation.errors import ServiceError
from app.foundation.roles import Role

from . import services
from .forms import FollowUpForm, ReactionForm
from .questions import FREQUENCY, IDENTIFIED, LIKERT, REACTION_ITEMS, REFERRALS

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

VIEWERS = (Role.ACADEMY_ADMIN, Role.COORDINATOR, Role.REGIONAL_COORDINATOR, Role.PLATFORM_ADMIN)


def _threshold() -> int:
    return current_app.config.get("COVERAGE_MIN_CELL", disclosure.DEFAULT_THRESHOLD)


@bp.route("/courses/<int:course_id>/reaction", methods=["GET", "POST"])
@roles_required(Role.TRAINEE)
def reaction(course_id):
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    progress = services.completion(current_user, course)
    if progress is None:
        abort(404)
    if services.reaction_of(current_user, progress) is not None:
        return render_template("evaluation/thanks.html", course=course)
    form = ReactionForm()
    if form.validate_on_submit():
        answers = {key: getattr(form, key).data for key, _label in REACTION_ITEMS}
        try:
            services.submit_reaction(current_user, course, answers, form.comment.data)
        except ServiceError as exc:
            db.session.rollback()
            form.comment.errors = [*form.comment.errors, exc.message]
        else:
            db.session.commit()
            flash(_("Thank you for your answers."), "success")
            return redirect(url_for(".reaction", course_id=course.id))
    return render_template("evaluation/reaction.html", course=course, form=form,
                           items=[getattr(form, key) for key, _label in REACTION_ITEMS]), (422 if form.errors else 200)


@bp.route("/follow-up/<int:follow_up_id>", methods=["GET", "POST"])
@roles_required(Role.TRAINEE)
def follow_up(follow_up_id):
    row = services.follow_up_of(current_user, follow_up_id)
    if row is None:
        abort(404)  # another person's follow-up does not exist for this one
    course = db.session.get(Course, row.course_id)
    if row.answered_at is not None:
        return render_template("evaluation/thanks.html", course=course)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.submit_follow_up(current_user, row, identified=form.identified.data,
                                      referred=form.referred.data or [], frequency=form.frequency.data,
                                      obstacles=form.obstacles.data)
        except ServiceError as exc:
            db.session.rollback()
            form.obstacles.errors = [*form.obstacles.errors, exc.message]
        else:
            db.session.commit()
            flash(_("Thank you for your answers."), "success")
            return redirect(url_for(".follow_up", follow_up_id=row.id))
    return render_template("evaluation/follow_up.html", course=course, form=form), (422 if form.errors else 200)


@bp.route("/results")
@roles_required(*VIEWERS)
def results():
    scope = Scope.for_user(current_user)
    rows = services.aggregates(scope, _threshold(), comments_for=current_user)
    return render_template("evaluation/results.html", rows=rows, threshold=_threshold(), items=dict(REACTION_ITEMS),
                           likert=LIKERT, identified=IDENTIFIED, referrals=REFERRALS, frequency=FREQUENCY)
