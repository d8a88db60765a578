"""The platform's whole audit log, for platform administrators (an academy's own log is an academy page)."""

from flask import Blueprint, render_template

from app.foundation.decorators import roles_required
from app.foundation.roles import Role

from . import services

bp = Blueprint("audit", __name__)


@bp.route("/audit")
@roles_required(Role.PLATFORM_ADMIN)
def everything():
    return render_template("audit/log.html", academy=None, events=services.events(None))
