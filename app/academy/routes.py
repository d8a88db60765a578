"""Academy administration pages. Every route resolves the academy through `services.academy_for`,
which returns nothing for an academy the user may not manage: they get 404 and nothing changes."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit import routes as audit_pages
from app.auth.accounts import has_password, invite, printable_sign_in_link
from app.curriculum import services as curriculum
from app.curriculum.models import Course, Module
from app.enrolment import services as enrolment
from app.enrolment.rules import entitlements_for
from app.extensions import db
from app.foundation import paging
from app.foundation.decorators import roles_required
from app.foundation.errors import ServiceError, error_response
from app.foundation.forms import ActionForm
from app.foundation.languages import language_name
from app.foundation.limits import MAX_PAGE, int_arg
from app.foundation.prongs import category_choices, prong_label
from app.foundation.roles import Role

from . import bulk, imports, listing, reports, services
from .forms import (
    AcademyForm,
    AcademySettingsForm,
    AssignmentForm,
    BulkForm,
    CohortForm,
    ImportForm,
    MandatoryForm,
    MembersForm,
    TraineeForm,
)

bp = Blueprint("academy", __name__)
admins_only = roles_required(Role.ACADEMY_ADMIN, Role.PLATFORM_ADMIN)
PAGE_SIZE = 50


def _academy(slug):
    academy = services.academy_for(current_user, slug)
    if academy is None:
        abort(404)
    return academy


def _trainee(academy, trainee_id):
    trainee = services.trainee_in(academy, trainee_id)
    if trainee is None:
        abort(404)
    return trainee


def _cohort(academy, cohort_id):
    cohort = enrolment.cohort_in(academy, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _language_choices(academy):
    languages = list(dict.fromkeys((academy.country.languages or []) + ["en"]))
    return [(code, language_name(code)) for code in languages]


# --- academies -----------------------------------------------------------------------------------


@bp.route("/academies/", methods=["GET", "POST"])
@admins_only
def academies():
    form = AcademyForm()
    form.country.choices = [(c.code, c.name) for c in curriculum.countries()]
    if current_user.role == Role.ACADEMY_ADMIN and request.method == "GET":
        return redirect(url_for(".overview", slug=current_user.academy.slug))
    if request.method == "POST":
        if current_user.role != Role.PLATFORM_ADMIN:
            abort(403)
        if form.validate_on_submit():
            try:
                academy = services.create_academy(current_user, slug=form.slug.data, name=form.name.data,
                                                  country=form.country.data, kind=form.kind.data)
            except ServiceError as exc:
                form.slug.errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("Academy created."), "success")
                return redirect(url_for(".overview", slug=academy.slug))
    return render_template("academy/academies.html", academies=services.managed_academies(current_user), form=form)


@bp.route("/academies/<slug>/")
@admins_only
def overview(slug):
    academy = _academy(slug)
    counts = services.counts(academy)
    today = date.today()
    courses = curriculum.courses()
    return render_template("academy/overview.html", academy=academy, trainees=counts["trainees"],
                           suspended=counts["suspended"], cohorts=enrolment.cohorts_of(academy), courses=courses,
                           summaries=reports.course_summaries(academy.id, courses, today),
                           overdue=reports.overdue_trainees(academy.id, today), today=today)


# --- trainees ------------------------------------------------------------------------------------


def _filters_context(academy):
    """What the filter bar of a trainee list offers."""
    return {"cohorts": enrolment.cohorts_of(academy), "courses": curriculum.courses(), "units": listing.units(academy),
            "categories": category_choices(), "statuses": reports.STATUSES, "page_sizes": paging.PAGE_SIZES}


def _bulk_form(academy):
    form = BulkForm()
    form.action.choices = [(key, action.label) for key, action in bulk.ACTIONS.items()]
    form.cohort.choices = [(0, _("Choose a cohort"))] + [(c.id, c.name) for c, _n in enrolment.cohorts_of(academy)]
    form.course.choices = [(0, _("Choose a course"))] + [(c.id, c.title) for c in curriculum.courses()]
    return form


def _safe_next(slug, target):
    """A path inside this academy's pages to go back to, or None (never another site)."""
    target = (target or "").strip()
    if target.startswith(f"/academies/{slug}/") and "//" not in target and "\\" not in target:
        return target
    return None


@bp.route("/academies/<slug>/trainees")
@admins_only
def trainees(slug):
    academy = _academy(slug)
    filters = listing.TraineeFilters.from_args(request.args)
    page = listing.trainee_page(academy, filters)
    form = _bulk_form(academy)
    form.action.choices = [(key, bulk.ACTIONS[key].label) for key in bulk.LIST_ACTIONS]
    form.next.data = request.full_path
    return render_template("academy/trainees.html", academy=academy, page=page, filters=filters, bulk_form=form,
                           **_filters_context(academy))


def _bulk_params(academy, cohort_id, course_id, due_date):
    cohort = enrolment.cohort_in(academy, cohort_id) if cohort_id else None
    course = db.session.get(Course, course_id) if course_id else None
    if (cohort_id and cohort is None) or (course_id and course is None):
        abort(404)
    return bulk.BulkParams(cohort=cohort, course=course, due_date=due_date)


@bp.route("/academies/<slug>/trainees/bulk", methods=["GET", "POST"])
@admins_only
def trainees_bulk(slug):
    """POST: do the action for the ticked trainees (one transaction). An action that takes something away is
    first shown on a confirmation page (GET, which changes nothing); its button posts here again, confirmed."""
    academy = _academy(slug)
    if request.method == "GET":
        return _bulk_confirmation(academy)
    form = _bulk_form(academy)
    back = _safe_next(slug, form.next.data) or url_for(".trainees", slug=slug)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        problems = [e for f in (form.ids, form.action, form.cohort, form.course, form.due_date) for e in f.errors]
        flash(_("The action was not done: %(problems)s", problems=" ".join(str(p) for p in problems)), "error")
        return redirect(back)
    action = bulk.ACTIONS[form.action.data]
    params = _bulk_params(academy, form.cohort.data, form.course.data, form.due_date.data)
    try:
        people = bulk.selection(academy, form.ids.data)
        bulk.check_params(action, params)
        if action.destructive and form.confirmed.data != "1":
            query = {"action": action.key, "ids": [p.id for p in people], "next": back}
            query.update({k: v for k, v in (("cohort", form.cohort.data), ("course", form.course.data)) if v})
            return redirect(url_for(".trainees_bulk", slug=slug, **query), 303)
        changed, unchanged = bulk.run(current_user, academy, action, people, params)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            return error_response(exc)
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(str(action.done) % {"changed": changed, "unchanged": unchanged}, "success")
    return redirect(back)


def _bulk_confirmation(academy):
    args = request.args
    action = bulk.ACTIONS.get(args.get("action", ""))
    if action is None:
        abort(400)
    ids = [int(v) for v in args.getlist("ids") if v.isdigit() and len(v) < 10]
    cohort_id = args.get("cohort", type=int)
    course_id = args.get("course", type=int)
    params = _bulk_params(academy, cohort_id, course_id, None)
    try:
        people = bulk.selection(academy, ids)
        bulk.check_params(action, params)
    except ServiceError as exc:
        return error_response(exc)
    back = _safe_next(academy.slug, args.get("next")) or url_for(".trainees", slug=academy.slug)
    hidden = [("action", action.key), ("confirmed", "1"), ("next", back)] + [("ids", p.id) for p in people]
    hidden += [(k, v) for k, v in (("cohort", cohort_id), ("course", course_id)) if v]
    explain = str(action.explain) % {"n": len(people), "cohort": params.cohort.name if params.cohort else ""}
    return render_template("academy/confirm.html", academy=academy, title=action.label, explain=explain,
                           people=people, post_url=url_for(".trainees_bulk", slug=academy.slug), hidden=hidden,
                           button=_("%(action)s: %(n)d trainees", action=action.label, n=len(people)), cancel=back)


def _trainee_form(academy, person=None) -> TraineeForm:
    """The trainee form of this academy: the sex field only where the academy records it."""
    form = TraineeForm(obj=person)
    form.language.choices = _language_choices(academy)
    if not academy.collects_sex:
        del form.sex
    elif person is not None and not form.is_submitted():
        form.sex.data = person.sex or ""
    return form


@bp.route("/academies/<slug>/settings", methods=["GET", "POST"])
@admins_only
def settings(slug):
    """The academy's own settings: whether it records its trainees' sex."""
    academy = _academy(slug)
    form = AcademySettingsForm(obj=academy)
    if form.validate_on_submit():
        services.set_collects_sex(current_user, academy, bool(form.collects_sex.data))
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for(".settings", slug=slug))
    return render_template("academy/settings.html", academy=academy, form=form), (422 if form.errors else 200)


@bp.route("/academies/<slug>/trainees/new", methods=["GET", "POST"])
@admins_only
def trainee_new(slug):
    academy = _academy(slug)
    form = _trainee_form(academy)
    if form.validate_on_submit():
        try:
            trainee = services.create_trainee(
                current_user, academy, email=form.email.data, name=form.name.data, category=form.category.data,
                unit=form.unit.data, personnel_number=form.personnel_number.data, language=form.language.data,
                training_stage=form.training_stage.data, sex=form.sex.data if "sex" in form else None)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Trainee created. An invitation to set a password is on its way to %(email)s.",
                    email=trainee.email), "success")
            return redirect(url_for(".trainee", slug=slug, trainee_id=trainee.id))
    return render_template("academy/trainee_form.html", academy=academy, form=form, trainee=None), \
        (422 if form.errors else 200)


@bp.route("/academies/<slug>/trainees/<int:trainee_id>")
@admins_only
def trainee(slug, trainee_id):
    academy = _academy(slug)
    person = _trainee(academy, trainee_id)
    return render_template(
        "academy/trainee.html", academy=academy, trainee=person, history=reports.trainee_history(person),
        entitlements=entitlements_for(person), courses={c.id: c for c in curriculum.courses()},
        cohorts=enrolment.trainee_cohorts(person), action=ActionForm(), has_password=has_password(person),
    )


@bp.route("/academies/<slug>/trainees/<int:trainee_id>/edit", methods=["GET", "POST"])
@admins_only
def trainee_edit(slug, trainee_id):
    academy = _academy(slug)
    person = _trainee(academy, trainee_id)
    form = _trainee_form(academy, person)
    if form.validate_on_submit():
        sex = {"sex": form.sex.data} if "sex" in form else {}
        try:
            services.update_trainee(current_user, academy, person, name=form.name.data, email=form.email.data,
                                    category=form.category.data, unit=form.unit.data,
                                    personnel_number=form.personnel_number.data, language=form.language.data,
                                    training_stage=form.training_stage.data, **sex)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".trainee", slug=slug, trainee_id=person.id))
    return render_template("academy/trainee_form.html", academy=academy, form=form, trainee=person), \
        (422 if form.errors else 200)


@bp.route("/academies/<slug>/trainees/<int:trainee_id>/<any(suspend, reactivate):action>", methods=["GET", "POST"])
@admins_only
def trainee_status(slug, trainee_id, action):
    academy = _academy(slug)
    person = _trainee(academy, trainee_id)
    back = url_for(".trainee", slug=slug, trainee_id=person.id)
    if request.method == "GET":
        if action == "suspend":
            title = _("Suspend %(name)s?", name=person.name)
            explain = _("%(name)s will no longer be able to sign in. Their training history, certificates and cohort "
                        "memberships are kept, and the account can be reactivated at any time.", name=person.name)
        else:
            title = _("Reactivate %(name)s?", name=person.name)
            explain = _("%(name)s will be able to sign in again.", name=person.name)
        return render_template("academy/confirm.html", academy=academy, title=title, explain=explain, people=[person],
                               post_url=request.path, hidden=[], cancel=back,
                               button=_("Suspend") if action == "suspend" else _("Reactivate"))
    if not ActionForm().validate_on_submit():
        abort(400)
    services.set_suspended(current_user, academy, person, action == "suspend")
    db.session.commit()
    flash(_("Account suspended; the training history is kept.") if action == "suspend"
          else _("Account reactivated."), "success")
    return redirect(back)


@bp.route("/academies/<slug>/trainees/<int:trainee_id>/invite", methods=["POST"])
@admins_only
def trainee_invite(slug, trainee_id):
    """A new invitation e-mail for a trainee who has not set a password (the previous link ends)."""
    academy = _academy(slug)
    person = _trainee(academy, trainee_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        invite(person, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("A new invitation was sent to %(email)s.", email=person.email), "success")
    return redirect(url_for(".trainee", slug=slug, trainee_id=person.id))


@bp.route("/academies/<slug>/trainees/<int:trainee_id>/sign-in-link", methods=["POST"])
@admins_only
def trainee_sign_in_link(slug, trainee_id):
    """A printable link for a trainee without e-mail, only while the account has no password."""
    academy = _academy(slug)
    person = _trainee(academy, trainee_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        link = printable_sign_in_link(person, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".trainee", slug=slug, trainee_id=person.id))
    db.session.commit()
    return render_template("academy/sign_in_link.html", academy=academy, trainee=person, link=link)


# --- import --------------------------------------------------------------------------------------


@bp.route("/academies/<slug>/import", methods=["GET", "POST"])
@admins_only
def import_upload(slug):
    academy = _academy(slug)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            text = imports.decode(upload.read(imports.MAX_BYTES + 1))
        except imports.ImportFileError as exc:
            flash(exc.message, "error")
            return render_template("academy/import.html", academy=academy, form=form, plan=None), 400
        plan = imports.parse(text, academy)
        batch = imports.stage(current_user, academy, upload.filename or "upload.csv", text) if plan.ok else None
        db.session.commit()
        return render_template("academy/import.html", academy=academy, form=form, plan=plan, batch=batch,
                               confirm=ActionForm()), (200 if plan.ok else 422)
    return render_template("academy/import.html", academy=academy, form=form, plan=None), \
        (400 if form.errors else 200)


@bp.route("/academies/<slug>/import/<token>/confirm", methods=["POST"])
@admins_only
def import_confirm(slug, token):
    academy = _academy(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    batch = imports.staged(academy, current_user, token)
    if batch is None:
        flash(_("This import was already confirmed or has expired. Upload the file again."), "error")
        return redirect(url_for(".import_upload", slug=slug))
    try:
        plan = imports.apply(current_user, academy, batch)
        if not plan.ok:
            db.session.rollback()
            return render_template("academy/import.html", academy=academy, form=ImportForm(), plan=plan,
                                   batch=None, confirm=None), 422
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    flash(_("Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
            created=plan.count("create"), updated=plan.count("update"), unchanged=plan.count("unchanged")), "success")
    return redirect(url_for(".trainees", slug=slug))


@bp.route("/academies/<slug>/import/template.csv")
@admins_only
def import_template(slug):
    academy = _academy(slug)
    return Response(imports.TEMPLATE_WITH_SEX if academy.collects_sex else imports.TEMPLATE, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=trainees-template.csv"})


# --- cohorts -------------------------------------------------------------------------------------


@bp.route("/academies/<slug>/cohorts", methods=["GET", "POST"])
@admins_only
def cohorts(slug):
    academy = _academy(slug)
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = enrolment.create_cohort(current_user, academy, form.name.data, form.description.data or "")
        except ServiceError as exc:
            db.session.rollback()
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Cohort created."), "success")
            return redirect(url_for(".cohort", slug=slug, cohort_id=cohort.id))
    return render_template("academy/cohorts.html", academy=academy, cohorts=enrolment.cohorts_of(academy), form=form), \
        (422 if form.errors else 200)


def _cohort_list(academy, group, *, members: bool):
    """A cohort's members (or the trainees who are not members), filtered like the trainee list."""
    fixed = {"cohort": group.id, "not_in_cohort": None} if members else {"not_in_cohort": group.id}
    filters = listing.TraineeFilters.from_args(request.args, **fixed)
    form = _bulk_form(academy)
    form.next.data = request.full_path
    return filters, listing.trainee_page(academy, filters), form


@bp.route("/academies/<slug>/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@admins_only
def cohort(slug, cohort_id):
    academy = _academy(slug)
    group = _cohort(academy, cohort_id)
    form = MembersForm()
    if form.validate_on_submit():
        unknown, added = [], 0
        people = []
        for identifier in form.identifiers.data.splitlines():
            if not identifier.strip():
                continue
            person = services.find_trainee(academy, identifier)
            if person is None:
                unknown.append(identifier.strip())
            else:
                people.append(person)
        if unknown:
            form.identifiers.errors.append(_("Not trainees of this academy: %(list)s. Nobody was added.",
                                             list=", ".join(unknown)))
        else:
            for person in people:
                added += enrolment.join_cohort(current_user, academy, group, person)
            db.session.commit()
            flash(_("%(n)d trainee(s) added.", n=added), "success")
            return redirect(url_for(".cohort", slug=slug, cohort_id=group.id))
        return render_template("academy/cohort_add.html", academy=academy, cohort=group, form=form,
                               **_cohort_add_context(academy, group)), 422
    filters, page, bulk_form = _cohort_list(academy, group, members=True)
    return render_template("academy/cohort.html", academy=academy, cohort=group, page=page, filters=filters,
                           bulk_form=bulk_form, assignments=enrolment.assignments_of(academy, group),
                           **_filters_context(academy))


def _cohort_add_context(academy, group):
    filters, page, bulk_form = _cohort_list(academy, group, members=False)
    bulk_form.next.data = url_for(".cohort", slug=academy.slug, cohort_id=group.id)
    return {"filters": filters, "page": page, "bulk_form": bulk_form, **_filters_context(academy)}


@bp.route("/academies/<slug>/cohorts/<int:cohort_id>/add")
@admins_only
def cohort_add(slug, cohort_id):
    """Pick trainees who are not members yet from the filtered list (or paste e-mails)."""
    academy = _academy(slug)
    group = _cohort(academy, cohort_id)
    return render_template("academy/cohort_add.html", academy=academy, cohort=group, form=MembersForm(),
                           **_cohort_add_context(academy, group))


@bp.route("/academies/<slug>/cohorts/<int:cohort_id>/members/<int:trainee_id>/remove", methods=["GET", "POST"])
@admins_only
def cohort_remove(slug, cohort_id, trainee_id):
    academy = _academy(slug)
    group = _cohort(academy, cohort_id)
    person = _trainee(academy, trainee_id)
    back = url_for(".cohort", slug=slug, cohort_id=group.id)
    if request.method == "GET":
        return render_template(
            "academy/confirm.html", academy=academy, people=[person], post_url=request.path, hidden=[], cancel=back,
            title=_("Remove %(name)s from %(cohort)s?", name=person.name, cohort=group.name),
            explain=_("The cohort's assignments will no longer apply to %(name)s. What they completed is kept.",
                      name=person.name),
            button=_("Remove from the cohort"))
    if not ActionForm().validate_on_submit():
        abort(400)
    enrolment.leave_cohort(current_user, academy, group, person)
    db.session.commit()
    flash(_("%(name)s left the cohort; what they completed is kept.", name=person.name), "success")
    return redirect(back)


# --- assignments and mandatory courses -----------------------------------------------------------


def _assignment_form(academy):
    form = AssignmentForm()
    courses = curriculum.courses()
    form.course.choices = [(c.id, c.title) for c in courses]
    form.module.choices = [(0, _("The whole course"))] + [
        (m.id, f"{c.title}: {m.current_version.title}") for c in courses for m in c.modules if m.current_version]
    form.cohort.choices = [(0, _("No cohort"))] + [(c.id, c.name) for c, _n in enrolment.cohorts_of(academy)]
    return form


@bp.route("/academies/<slug>/assignments", methods=["GET", "POST"])
@admins_only
def assignments(slug):
    academy = _academy(slug)
    form = _assignment_form(academy)
    if request.method == "GET" and int_arg(request.args, "cohort"):
        form.cohort.data = int_arg(request.args, "cohort")
    if form.validate_on_submit():
        course = db.session.get(Course, form.course.data)
        module = db.session.get(Module, form.module.data) if form.module.data else None
        cohort = enrolment.cohort_in(academy, form.cohort.data) if form.cohort.data else None
        person = services.find_trainee(academy, form.trainee.data) if form.trainee.data else None
        if form.trainee.data and person is None:
            form.trainee.errors.append(_("No trainee of this academy has that e-mail or personnel number."))
        elif course is None or (form.cohort.data and cohort is None):
            abort(404)
        else:
            try:
                enrolment.assign(current_user, academy, course=course, module=module, trainee=person,
                                cohort=cohort, due_date=form.due_date.data)
            except ServiceError as exc:
                db.session.rollback()
                flash(exc.message, "error")
            else:
                db.session.commit()
                flash(_("Assigned."), "success")
                return redirect(url_for(".assignments", slug=slug))
    today = date.today()
    courses = curriculum.courses()
    overdue_only = request.args.get("overdue") == "1"
    course_id = request.args.get("course", type=int)
    due = reports.due_page(academy.id, today, page=paging.page_number(request.args),
                           per_page=paging.page_size(request.args), overdue_only=overdue_only,
                           course_id=course_id if course_id in {c.id for c in courses} else None)
    return render_template("academy/assignments.html", academy=academy, form=form, courses=courses,
                           assignments=enrolment.assignments_of(academy), rules=enrolment.mandatory_rules(academy),
                           summaries=reports.course_summaries(academy.id, courses, today),
                           deadlines=reports.deadlines_by_course(academy.id), due=due, overdue_only=overdue_only,
                           due_course=course_id, course_titles={c.id: c.title for c in courses}), \
        (422 if form.errors else 200)


@bp.route("/academies/<slug>/assignments/<int:assignment_id>/withdraw", methods=["GET", "POST"])
@admins_only
def assignment_withdraw(slug, assignment_id):
    academy = _academy(slug)
    assignment = enrolment.assignment_in(academy, assignment_id)
    if assignment is None or assignment.withdrawn_at is not None:
        abort(404)
    back = url_for(".assignments", slug=slug)
    if request.method == "GET":
        what = assignment.course.title + (f": {assignment.module.current_version.title}" if assignment.module else "")
        if assignment.cohort is not None:
            n = enrolment.member_count(assignment.cohort)
            title = _("Withdraw “%(what)s” from the cohort %(cohort)s?", what=what, cohort=assignment.cohort.name)
            explain = _("This affects %(n)d trainees, the cohort's current members: the assignment and its due date "
                        "no longer apply to them (unless another assignment or rule gives them the course). "
                        "Progress already made is kept.", n=n)
        else:
            title = _("Withdraw “%(what)s” from %(name)s?", what=what, name=assignment.trainee.name)
            explain = _("This affects 1 trainee: the assignment and its due date no longer apply (unless another "
                        "assignment or rule gives them the course). Progress already made is kept.")
        return render_template("academy/confirm.html", academy=academy, title=title, explain=explain, people=[],
                               post_url=request.path, hidden=[], cancel=back, button=_("Withdraw"))
    if not ActionForm().validate_on_submit():
        abort(400)
    enrolment.withdraw_assignment(current_user, academy, assignment)
    db.session.commit()
    flash(_("Assignment withdrawn; progress already made is kept."), "success")
    return redirect(back)


@bp.route("/academies/<slug>/mandatory", methods=["GET", "POST"])
@admins_only
def mandatory(slug):
    academy = _academy(slug)
    form = MandatoryForm()
    form.course.choices = [(c.id, c.title) for c in curriculum.courses()]
    if form.validate_on_submit():
        course = db.session.get(Course, form.course.data) or abort(404)
        try:
            enrolment.set_mandatory(current_user, academy, course, form.category.data, form.due_within_days.data,
                                    stage=form.stage.data, since=form.since.data)
        except ServiceError as exc:
            db.session.rollback()
            form.stage.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Rule saved: every trainee of that category and stage now has this course.")
                  if form.stage.data != "optional" else _("Rule saved: the course is recorded as optional."),
                  "success")
            return redirect(url_for(".mandatory", slug=slug))
    return render_template("academy/mandatory.html", academy=academy, form=form,
                           rules=enrolment.mandatory_rules(academy), action=ActionForm()), (422 if form.errors else 200)


@bp.route("/academies/<slug>/mandatory/<int:rule_id>/remove", methods=["GET", "POST"])
@admins_only
def mandatory_remove(slug, rule_id):
    academy = _academy(slug)
    rule = enrolment.mandatory_rule_in(academy, rule_id)
    if rule is None:
        abort(404)
    back = url_for(".mandatory", slug=slug)
    if request.method == "GET":
        n = services.counts(academy, category=rule.category)["trainees"]
        return render_template(
            "academy/confirm.html", academy=academy, people=[], post_url=request.path, hidden=[], cancel=back,
            title=_("Stop making “%(course)s” mandatory for %(category)s?", course=rule.course.title,
                    category=prong_label(rule.category)),
            explain=_("This affects the %(n)d trainees of that category: the course and its deadline no longer come "
                      "from this rule (the course of their own category stays theirs). Progress already made is kept.",
                      n=n),
            button=_("Remove the rule"))
    if not ActionForm().validate_on_submit():
        abort(400)
    enrolment.remove_mandatory(current_user, academy, rule.id)
    db.session.commit()
    flash(_("Rule removed."), "success")
    return redirect(back)


# --- reports and audit ---------------------------------------------------------------------------


@bp.route("/academies/<slug>/reports")
@admins_only
def report(slug):
    academy = _academy(slug)
    all_courses = curriculum.courses()
    course = next((c for c in all_courses if c.id == int_arg(request.args, "course")), None) or \
        (all_courses[0] if all_courses else None)
    if course is None:
        abort(404)
    cohort_id = int_arg(request.args, "cohort")
    cohort = enrolment.cohort_in(academy, cohort_id) if cohort_id else None
    if cohort_id and cohort is None:
        abort(404)
    rows = reports.course_report(academy.id, course, cohort)
    args = {k: request.args.get(k, "") for k in ("status", "q", "unit", "sort", "refresher")}
    descending = request.args.get("desc") == "1"
    shown = reports.filter_and_sort(rows, status=args["status"], search=args["q"], unit=args["unit"],
                                    sort=args["sort"] or "name", descending=descending, refresher=args["refresher"])
    fmt = request.args.get("format")
    stem = f"{academy.slug}-{course.prong}{'-' + cohort.name if cohort else ''}-{date.today().isoformat()}"
    if fmt == "csv":
        return Response(reports.to_csv(shown), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={_ascii(stem)}.csv"})
    if fmt == "xlsx":
        return Response(reports.to_xlsx(shown, course.prong),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={_ascii(stem)}.xlsx"})
    page = int_arg(request.args, "page", 1, high=MAX_PAGE)
    units = sorted({r.unit for r in rows if r.unit})
    return render_template(
        "academy/report.html", academy=academy, course=course, cohort=cohort, courses=all_courses,
        cohorts=enrolment.cohorts_of(academy), rows=shown[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
        total=len(shown), page=page, pages=max(1, -(-len(shown) // PAGE_SIZE)), summary=reports.summary(rows),
        args=args, descending=descending, units=units, statuses=reports.STATUSES,
        refresher_states=reports.REFRESHER_STATES if course.validity_months else (),
    )


def _ascii(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


@bp.route("/academies/<slug>/audit")
@admins_only
def audit(slug):
    return audit_pages.log_page(_academy(slug), {"slug": slug})


@bp.app_template_filter("prong_label")
def _prong_label(prong):
    return prong_label(prong)


@bp.app_context_processor
def _nav():
    def my_academy_slug():
        if current_user.is_authenticated and current_user.role == Role.ACADEMY_ADMIN and current_user.academy:
            return current_user.academy.slug
        return None

    return {"my_academy_slug": my_academy_slug}


__all__ = ["bp", "login_required"]
