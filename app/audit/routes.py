"""The platform's whole audit log, for platform administrators (an academy's own log is an academy page)."""

from flask import Blueprint, render_template, request

from app.foundation import paging
from app.foundation.decorators import roles_required
from app.foundation.roles import Role

from . import services

bp = Blueprint("audit", __name__)


def log_page(academy, endpoint_args: dict, **context):
    """The log page, filtered by the address bar's parameters: this blueprint's and the academy's page."""
    filters = services.AuditFilters.from_args(request.args)
    return render_template("audit/log.html", academy=academy, filters=filters,
                           page=services.events_page(academy, filters), actors=services.actors(academy),
                           actions=services.actions(academy), page_sizes=paging.PAGE_SIZES,
                           endpoint_args=endpoint_args, **context)


@bp.route("/audit")
@roles_required(Role.PLATFORM_ADMIN)
def everything():
    return log_page(None, {})
