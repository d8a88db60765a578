"""/admin/users: the platform administrator's pages for every account."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.academy import services as academy_services
from app.academy.models import Academy
from app.auth import accounts as account_links
from app.curriculum import services as curriculum
from app.extensions import db
from app.foundation.decorators import roles_required
from app.foundation.errors import ServiceError
from app.foundation.forms import ActionForm
from app.foundation.languages import UI_LANGUAGES, language_name
from app.foundation.prongs import category_choices
from app.foundation.roles import ROLE_LABELS, Role

from . import services
from .forms import AccountForm

bp = Blueprint("accounts", __name__, url_prefix="/admin/users")
platform_admin = roles_required(Role.PLATFORM_ADMIN)
PAGE_SIZE = 50


def _account(user_id: int):
    return services.account(user_id) or abort(404)


def _choices(form: AccountForm) -> None:
    form.role.choices = [(r.value, str(ROLE_LABELS[r])) for r in Role]
    form.country.choices = [(c.code, c.name) for c in curriculum.countries()]
    academies = db.session.scalars(db.select(Academy).order_by(Academy.country_code, Academy.name)).all()
    form.academy.choices = [("", _("(none)"))] + [(a.slug, f"{a.name} ({a.country_code})") for a in academies]
    form.category.choices = [("", _("(none)"))] + category_choices()
    form.language.choices = [(code, language_name(code)) for code in UI_LANGUAGES]


@bp.route("/")
@platform_admin
def users():
    query = services.UserQuery.from_args(request.args)
    rows, total = services.users_page(query, per_page=PAGE_SIZE)
    return render_template("accounts/users.html", rows=rows, total=total, query=query, page=query.page,
                           pages=max(1, -(-total // PAGE_SIZE)), roles=ROLE_LABELS,
                           countries=curriculum.countries(),
                           academies=db.session.scalars(db.select(Academy).order_by(Academy.name)).all())


@bp.route("/new", methods=["GET", "POST"])
@platform_admin
def new():
    form = AccountForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            user = academy_services.create_account(
                current_user, email=form.email.data, name=form.name.data, role=form.role.data,
                country=form.country.data, password=None, academy=form.academy.data or None,
                category=form.category.data or None, language=form.language.data)
        except ServiceError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            account_links.invite(user, by=current_user)
            db.session.commit()
            flash(_("Account created for %(name)s; an invitation to set a password was sent to %(email)s.",
                    name=user.name, email=user.email), "success")
            return redirect(url_for(".user", user_id=user.id))
    return render_template("accounts/form.html", form=form, person=None)


@bp.route("/<int:user_id>")
@platform_admin
def user(user_id):
    person = _account(user_id)
    return render_template("accounts/user.html", person=person, history=services.history(person),
                           form=ActionForm(), roles=ROLE_LABELS, has_password=account_links.has_password(person))


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@platform_admin
def edit(user_id):
    person = _account(user_id)
    form = AccountForm(obj=None if request.method == "POST" else person)
    _choices(form)
    if request.method == "GET":
        form.country.data = person.country_code
        form.academy.data = person.academy.slug if person.academy else ""
        form.category.data = person.category or ""
    if form.validate_on_submit():
        try:
            academy_services.update_account(
                current_user, person, name=form.name.data, email=form.email.data, role=form.role.data,
                country=form.country.data, academy=form.academy.data or None, category=form.category.data or None,
                language=form.language.data)
        except ServiceError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for(".user", user_id=person.id))
    return render_template("accounts/form.html", form=form, person=person)


@bp.route("/<int:user_id>/<any(suspend, reactivate):action>", methods=["GET", "POST"])
@platform_admin
def status(user_id, action):
    """GET asks for confirmation (saying what will happen); POST does it."""
    person = _account(user_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            academy_services.set_suspended(current_user, person.academy, person, action == "suspend")
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Account suspended; the training history is kept.") if action == "suspend"
                  else _("Account reactivated."), "success")
        return redirect(url_for(".user", user_id=person.id))
    return render_template("accounts/confirm.html", person=person, action=action, form=form)


@bp.route("/<int:user_id>/invite", methods=["POST"])
@platform_admin
def invite(user_id):
    """A new invitation for an account that has no password yet (the previous link ends)."""
    person = _account(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        account_links.invite(person, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("A new invitation was sent to %(email)s.", email=person.email), "success")
    return redirect(url_for(".user", user_id=person.id))


@bp.route("/<int:user_id>/reset", methods=["GET", "POST"])
@platform_admin
def reset(user_id):
    """GET asks for confirmation; POST ends the password and its links and sends a new invitation."""
    person = _account(user_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            account_links.reset_by_administrator(person, by=current_user)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The password of %(name)s no longer works; a new invitation was sent to %(email)s.",
                    name=person.name, email=person.email), "success")
        return redirect(url_for(".user", user_id=person.id))
    return render_template("accounts/confirm.html", person=person, action="reset", form=form)
