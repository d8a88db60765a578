from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.foundation.decorators import roles_required
from app.foundation.errors import error_response
from app.foundation.roles import Role
from app.utils import utcnow

from . import services
from .forms import QuizForm, SectionReadForm

bp = Blueprint("learning", __name__, url_prefix="/learn")
trainee_only = roles_required(Role.TRAINEE)


@bp.errorhandler(services.LearningError)
def _refused(exc: services.LearningError):
    """The one answer to a refused step: a 409 (not yet, already done) goes back to the module or the
    dashboard with the reason; anything else is the app's error page (app/main/errors.py)."""
    db.session.rollback()
    if exc.status != 409:
        return error_response(exc)
    flash(exc.message, "info")
    slug = (request.view_args or {}).get("slug")
    return redirect(url_for(".module", slug=slug) if slug else url_for(".dashboard"))


@bp.route("/")
@trainee_only
def dashboard():
    return render_template("learning/dashboard.html", plans=services.my_courses(current_user))


@bp.route("/modules/<slug>")
@trainee_only
def module(slug):
    module = services.module_for(current_user, slug)
    progress = services.current_progress(current_user, module)
    version = services.version_for(current_user, module, progress)
    content = services.rendition_for(current_user, version)
    status = services.ModuleStatus(module, version, progress, 0, None)
    return render_template(
        "learning/module.html", module=module, version=version, content=content, status=status,
        attempts=services.attempts_of(current_user, module), retake=services.retake_state(current_user, module),
        now=utcnow(), newer_version=module.current_version_id != version.id,
    )


@bp.route("/modules/<slug>/sections/<int:number>")
@trainee_only
def section(slug, number):
    module = services.module_for(current_user, slug)
    progress = services.current_progress(current_user, module)
    version = services.version_for(current_user, module, progress)
    if not 1 <= number <= version.section_count:
        abort(404)
    if not services.can_read_section(progress, number - 1):
        flash(_("Please read the sections in order."), "info")
        status = services.ModuleStatus(module, version, progress, 0, None)
        return redirect(url_for(".section", slug=slug, number=status.resume_section + 1))
    content = services.rendition_for(current_user, version)
    return render_template(
        "learning/section.html", module=module, version=version, content=content, number=number,
        section=content["sections"][number - 1], form=SectionReadForm(),
    )


@bp.route("/modules/<slug>/sections/<int:number>/read", methods=["POST"])
@trainee_only
def section_read(slug, number):
    module = services.module_for(current_user, slug)
    form = SectionReadForm()
    if not form.validate_on_submit():
        abort(400, _("The form has expired. Please go back and try again."))
    progress = services.record_section_read(current_user, module, number - 1)
    db.session.commit()
    version = services.version_for(current_user, module)
    if number < version.section_count:
        return redirect(url_for(".section", slug=slug, number=number + 1))
    if progress.completed_at is None:
        flash(_("You have read the whole module. Take the quiz to complete it."), "success")
        return redirect(url_for(".quiz", slug=slug))
    return redirect(url_for(".module", slug=slug))


@bp.route("/modules/<slug>/quiz", methods=["GET", "POST"])
@trainee_only
def quiz(slug):
    module = services.module_for(current_user, slug)
    form = QuizForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, _("The quiz form has expired or was altered; nothing was recorded. Please open the quiz again."))
        return _submit(form, back=url_for(".module", slug=slug), action=url_for(".quiz", slug=slug),
                       heading=_("Quiz"), title=module.current_version.title)
    attempt = services.start_quiz(current_user, module)
    db.session.commit()
    form.attempt.data = attempt.token
    return render_template("learning/quiz.html", form=form, view=services.quiz_form_view(attempt), chosen={},
                           action=url_for(".quiz", slug=slug), back=url_for(".module", slug=slug),
                           heading=_("Quiz"), title=module.current_version.title)


def _submit(form, *, back, action, heading, title):
    """Grade a submitted quiz or course test; shared by both so the same rules refuse the same forms."""
    try:
        attempt = services.submit_quiz(current_user, form.attempt.data, request.form.to_dict(flat=False))
    except services.QuizIncomplete as exc:
        db.session.rollback()
        attempt = services.attempt_for_form(current_user, form.attempt.data)
        flash(exc.message, "error")
        return render_template("learning/quiz.html", form=form, view=services.quiz_form_view(attempt),
                               chosen=exc.chosen, action=action, back=back, heading=heading, title=title), 422
    except services.QuizRejected as exc:
        db.session.rollback()
        return render_template("learning/rejected.html", back=back, message=exc.message), exc.status
    db.session.commit()
    return redirect(url_for(".result", token=attempt.token))


TEST_NAMES = {"pre-test": "pre_test", "post-test": "post_test"}


@bp.route("/courses/<int:course_id>/<any('pre-test', 'post-test'):which>", methods=["GET", "POST"])
@trainee_only
def course_test(course_id, which):
    plan = next((p for p in services.my_courses(current_user) if p.course.id == course_id), None)
    if plan is None:
        abort(404)
    kind = TEST_NAMES[which]
    heading = _("Pre-test") if kind == "pre_test" else _("Post-test")
    form = QuizForm()
    here = url_for(".course_test", course_id=course_id, which=which)
    back = url_for(".dashboard")
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, _("The form has expired or was altered; nothing was recorded. Please open the test again."))
        return _submit(form, back=back, action=here, heading=heading, title=plan.course.title)
    attempt = services.start_course_test(current_user, plan.course, kind)
    db.session.commit()
    form.attempt.data = attempt.token
    return render_template("learning/quiz.html", form=form, view=services.quiz_form_view(attempt), chosen={},
                           action=here, back=back, heading=heading, title=plan.course.title)


@bp.route("/results/<token>")
@trainee_only
def result(token):
    attempt = services.attempt_for(current_user, token)
    module = attempt.module
    progress = services.current_progress(current_user, module) if attempt.kind == "module" else None
    title = services.module_titles(current_user, [module.current_version])[module.current_version.id] if module else None
    return render_template("learning/result.html", module=module, module_title=title, attempt=attempt,
                           view=services.result_view(attempt), progress=progress)
