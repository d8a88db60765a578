from flask import Blueprint, abort, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.foundation.redirects import is_safe_path

from .forms import LanguageForm

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_trainee:
        return redirect(url_for("learning.dashboard"))
    if current_user.role == "trainer":
        return redirect(url_for("classroom.teaching"))
    return redirect(url_for("main.home"))


@bp.route("/home")
@login_required
def home():
    """Staff landing page: who you are, and what you can do here."""
    return render_template("main/home.html")


@bp.route("/language", methods=["POST"])
def language():
    """The language switcher: kept in the session, and on the account when signed in; back to the page."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["language"] = form.language.data
    if current_user.is_authenticated:
        # The account's language is also the language its modules are read in (trainees).
        current_user.language = form.language.data
        db.session.commit()
    target = form.next.data
    return redirect(target if is_safe_path(target) else url_for("main.index"))


@bp.route("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
