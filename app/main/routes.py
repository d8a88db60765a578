from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.extensions import db

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


@bp.route("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
