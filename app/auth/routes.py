from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db

from . import sessions, throttle
from .forms import LoginForm, LogoutForm, SetPasswordForm
from .services import authenticate, user_for_setup_token

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: an open redirect would let a phishing link sign people in elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


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
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
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


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@throttle.apply(throttle.sign_in_link)
def set_password(token):
    user = user_for_setup_token(token)
    if user is None:
        throttle.failed()
        abort(404, _("This link is not valid any more. Ask your academy for a new one."))
    form = SetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)  # ends every session of the account
        sessions.end(None)
        db.session.commit()
        flash(_("Your password is set. You can sign in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user)
