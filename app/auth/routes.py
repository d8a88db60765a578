
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.forms import ActionForm
from app.foundation.languages import language_name
from app.foundation.redirects import is_safe_path

from . import accounts, sessions, throttle
from .forms import (
    EmailChangeForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    PasswordChangeForm,
    ProfileForm,
    SetPasswordForm,
)
from .services import authenticate

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@throttle.apply(throttle.sign_in)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.failed()
            flash(_("The e-mail or password is not right, or the account is suspended."), "error")
        else:
            sessions.start(user)
            db.session.commit()
            target = request.args.get("next")
            return redirect(target if is_safe_path(target) else url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        sessions.end(current_user._get_current_object())
        db.session.commit()
        flash(_("You have signed out."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link. The answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account uses that address, a link to set a new password is on its way. It works once "
                "and for one hour. Nothing arrived? Check the spam folder, or ask your academy."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), (422 if form.errors else 200)


def _invalid_link():
    abort(404, _("This link is not valid any more: it was used, it has expired, or a newer one was sent. "
                 "Ask for a new one with “Forgot your password?”, or ask your academy."))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@throttle.apply(throttle.sign_in_link)
def set_password(token):
    """An invitation, printed sign-in or reset link: GET shows the form, POST (with CSRF) uses the link."""
    row = accounts.password_link(token)
    if row is None:
        throttle.failed()
        _invalid_link()
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.set_password_by_link(row, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
        else:
            sessions.start(user)  # the new password ended every other session of the account
            db.session.commit()
            flash(_("Your password is set and you are signed in."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/set_password.html", form=form, user=row.user, purpose=row.purpose), \
        (422 if form.errors else 200)


# --- the profile ----------------------------------------------------------------------------------


def _profile_page(profile=None, password=None, email=None, status=200):
    profile = profile or ProfileForm(obj=current_user)
    profile.language.choices = [(code, language_name(code)) for code in accounts.language_choices(current_user)]
    return render_template("auth/profile.html", profile=profile, password=password or PasswordChangeForm(),
                           email=email or EmailChangeForm(formdata=None)), status


@bp.route("/profile")
@login_required
def profile():
    return _profile_page()


@bp.route("/profile", methods=["POST"])
@login_required
def profile_save():
    form = ProfileForm()
    form.language.choices = [(code, language_name(code)) for code in accounts.language_choices(current_user)]
    if form.validate_on_submit():
        try:
            accounts.update_profile(current_user, name=form.name.data, language=form.language.data)
        except ServiceError as exc:
            db.session.rollback()
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(profile=form, status=422)


@bp.route("/profile/password", methods=["POST"])
@login_required
def profile_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, current=form.current.data, new=form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            form.current.errors.append(exc.message)
        else:
            sessions.start(current_user._get_current_object())  # every other session of the account ends
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(password=form, status=422)


@bp.route("/profile/email", methods=["POST"])
@login_required
def profile_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            accounts.request_email_change(current_user, new_email=form.email.data, password=form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            form.email.errors.append(exc.message)
        else:
            new_address = form.email.data.strip().lower()
            db.session.commit()
            flash(_("We have sent a link to %(email)s. Your address changes when you follow it (within 24 "
                    "hours); until then, sign in with the old one.", email=new_address), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(email=form, status=422)


@bp.route("/profile/email/<token>", methods=["GET", "POST"])
def email_change(token):
    """The link sent to a new address: GET asks to confirm, POST (with CSRF) changes the address."""
    row = accounts.email_change_link(token)
    if row is None:
        abort(404, _("This link is not valid any more: it was used, it has expired, or a newer one was sent."))
    form = ActionForm()
    if form.validate_on_submit():
        try:
            accounts.confirm_email_change(row)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Your e-mail address is changed. Sign in with the new one from now on."), "success")
            return redirect(url_for("auth.profile" if current_user.is_authenticated else "auth.login"))
    return render_template("auth/email_change.html", form=form, row=row)
