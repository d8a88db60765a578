from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.foundation.decorators import roles_required
from app.foundation.errors import error_response
from app.foundation.forms import ActionForm
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


def _choose_pre_test_first(module):
    """While the course's pre-test is neither taken nor skipped, reading would close it for good: send
    the trainee to the course's start page to choose first (a redirect, nothing recorded)."""
    if services.pre_test_pending(current_user, module.course):
        flash(_("Before you start the course, choose whether to take its pre-test."), "info")
        return redirect(url_for(".course_start", course_id=module.course_id))
    return None


@bp.route("/modules/<slug>")
@trainee_only
def module(slug):
    module = services.module_for(current_user, slug)
    if (choose := _choose_pre_test_first(module)) is not None:
        return choose
    progress = services.current_progress(current_user, module)
    version = services.version_for(current_user, module, progress)
    content = services.rendition_for(current_user, version)
    status = services.ModuleStatus(module, version, progress, 0, None)
    following = None
    if status.state == "complete":
        following = _following(_plan_or_none(module.course_id), module)
    return render_template(
        "learning/module.html", module=module, version=version, content=content, status=status,
        attempts=services.attempts_of(current_user, module), retake=services.retake_state(current_user, module),
        now=utcnow(), newer_version=module.current_version_id != version.id, following=following,
        start_form=ActionForm(), open_attempt=services.open_quiz_attempt(current_user, module),
    )


def _plan_or_none(course_id):
    """The trainee's plan for a course, or None where they take a module of it outside their plan."""
    try:
        return services.plan_for(current_user, course_id)
    except services.LearningError:
        return None


def _following(plan, module):
    """What comes after a completed module: the next module to take (with its title as the trainee reads
    it), or the course's completion page."""
    if plan is None:
        return None
    step = services.next_module(plan, after=module)
    if step is None:
        return {"complete": plan.summary["complete"], "course_id": plan.course.id}
    title = services.module_titles(current_user, [step.version])[step.version.id]
    return {"slug": step.module.slug, "title": title}


@bp.route("/modules/<slug>/sections/<int:number>")
@trainee_only
def section(slug, number):
    module = services.module_for(current_user, slug)
    if (choose := _choose_pre_test_first(module)) is not None:
        return choose
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
    """GET shows the started attempt, or the page that starts one (nothing is recorded on GET);
    POST submits the answers."""
    module = services.module_for(current_user, slug)
    form = QuizForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, _("The quiz form has expired or was altered; nothing was recorded. Please open the quiz again."))
        return _submit(form, back=url_for(".module", slug=slug), action=url_for(".quiz", slug=slug),
                       heading=_("Quiz"), title=_module_title(module))
    attempt = services.open_quiz_attempt(current_user, module)
    if attempt is None:
        limits = services.may_start_quiz(current_user, module)
        bank = module.current_bank
        return render_template("learning/quiz_start.html", heading=_("Quiz"), title=_module_title(module),
                               back=url_for(".module", slug=slug), start=url_for(".quiz_start", slug=slug),
                               form=ActionForm(), questions=bank.draw_count, pass_mark=bank.pass_mark,
                               retake=limits)
    form.attempt.data = attempt.token
    return render_template("learning/quiz.html", form=form, view=services.quiz_form_view(attempt), chosen={},
                           action=url_for(".quiz", slug=slug), back=url_for(".module", slug=slug),
                           heading=_("Quiz"), title=_module_title(module))


@bp.route("/modules/<slug>/quiz/start", methods=["POST"])
@trainee_only
def quiz_start(slug):
    module = services.module_for(current_user, slug)
    if not ActionForm().validate_on_submit():
        abort(400, _("The form has expired. Please go back and try again."))
    services.start_quiz(current_user, module)
    db.session.commit()
    return redirect(url_for(".quiz", slug=slug))


def _module_title(module) -> str:
    """The module's title as the trainee reads it (their language where translated)."""
    version = module.current_version
    return services.module_titles(current_user, [version])[version.id]["title"]


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


TEST_NAMES = {"pre-test": "pre_test", "post-test": "post_test", "refresher": services.REFRESHER}
WHICH = "<any('pre-test', 'post-test', 'refresher'):which>"
TEST_HEADINGS = {"pre_test": _l("Pre-test"), "post_test": _l("Post-test"), services.REFRESHER: _l("Refresher test")}


def _course_title(plan) -> str:
    return plan.text["title"]


@bp.route(f"/courses/<int:course_id>/{WHICH}", methods=["GET", "POST"])
@trainee_only
def course_test(course_id, which):
    """GET shows the started test or the page that starts it; POST submits the answers."""
    plan = services.plan_for(current_user, course_id)
    kind = TEST_NAMES[which]
    heading = str(TEST_HEADINGS[kind])
    form = QuizForm()
    here = url_for(".course_test", course_id=course_id, which=which)
    back = url_for(".dashboard")
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, _("The form has expired or was altered; nothing was recorded. Please open the test again."))
        return _submit(form, back=back, action=here, heading=heading, title=_course_title(plan))
    attempt = services.open_course_test(current_user, plan.course, kind)
    if attempt is None:
        services.may_start_course_test(current_user, plan.course, kind)
        if kind == "pre_test":
            return redirect(url_for(".course_start", course_id=course_id))
        refresher = kind == services.REFRESHER
        return render_template("learning/quiz_start.html", heading=heading, title=_course_title(plan), back=back,
                               start=url_for(".course_test_start", course_id=course_id, which=which),
                               form=ActionForm(), retake=None, refresher=plan.refresher if refresher else None,
                               questions=services.refresher_draw(plan.course) if refresher else plan.course.test_draw,
                               pass_mark=services.refresher_pass_mark(plan.course) if refresher else None)
    form.attempt.data = attempt.token
    return render_template("learning/quiz.html", form=form, view=services.quiz_form_view(attempt), chosen={},
                           action=here, back=back, heading=heading, title=_course_title(plan))


@bp.route(f"/courses/<int:course_id>/{WHICH}/start", methods=["POST"])
@trainee_only
def course_test_start(course_id, which):
    plan = services.plan_for(current_user, course_id)
    if not ActionForm().validate_on_submit():
        abort(400, _("The form has expired. Please go back and try again."))
    services.start_course_test(current_user, plan.course, TEST_NAMES[which])
    db.session.commit()
    return redirect(url_for(".course_test", course_id=course_id, which=which))


@bp.route("/courses/<int:course_id>/start")
@trainee_only
def course_start(course_id):
    """The start of a course: the choice between taking the pre-test now and skipping it for good, while
    that choice is open; afterwards, the module to take next."""
    plan = services.plan_for(current_user, course_id)
    if not services.pre_test_pending(current_user, plan.course):
        step = services.next_module(plan)
        if step is None:
            return redirect(url_for(".course_complete", course_id=course_id))
        return redirect(url_for(".module", slug=step.module.slug))
    return render_template("learning/course_start.html", plan=plan, form=ActionForm(),
                           started=services.open_course_test(current_user, plan.course, "pre_test"))


@bp.route("/courses/<int:course_id>/pre-test/skip", methods=["POST"])
@trainee_only
def skip_pre_test(course_id):
    plan = services.plan_for(current_user, course_id)
    if not ActionForm().validate_on_submit():
        abort(400, _("The form has expired. Please go back and try again."))
    services.skip_pre_test(current_user, plan.course)
    db.session.commit()
    step = services.next_module(plan)
    return redirect(url_for(".module", slug=step.module.slug) if step else url_for(".dashboard"))


@bp.route("/courses/<int:course_id>/complete")
@trainee_only
def course_complete(course_id):
    """The page a trainee reaches on finishing a course: the completion, the certificate, the post-test."""
    plan = services.plan_for(current_user, course_id)
    completion = services.course_completion(current_user, plan.course)
    if completion is None:
        step = services.next_module(plan)
        flash(_("The course is not complete yet."), "info")
        return redirect(url_for(".module", slug=step.module.slug) if step else url_for(".dashboard"))
    return render_template("learning/course_complete.html", plan=plan, completion=completion, form=ActionForm())


@bp.route("/results/<token>")
@trainee_only
def result(token):
    attempt = services.attempt_for(current_user, token)
    module = attempt.module
    progress = services.current_progress(current_user, module) if attempt.kind == "module" else None
    title = services.module_titles(current_user, [module.current_version])[module.current_version.id] if module else None
    following = None
    if module is not None and progress is not None and progress.completed_at is not None:
        following = _following(_plan_or_none(module.course_id), module)
    refresher = services.refresher_of(current_user, attempt.course_id) if attempt.kind == services.REFRESHER else None
    return render_template("learning/result.html", module=module, module_title=title, attempt=attempt,
                           view=services.result_view(attempt), progress=progress, following=following,
                           again=ActionForm(), refresher=refresher)
