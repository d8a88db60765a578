"""Item statistics pages for platform administrators (who author the content): HTML and CSV."""

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import lazy_gettext as _l

from app.curriculum.models import Module
from app.foundation import spreadsheets
from app.foundation.decorators import roles_required
from app.foundation.limits import int_arg
from app.foundation.roles import Role

from . import services

bp = Blueprint("itemstats", __name__, url_prefix="/item-statistics")
authors_only = roles_required(Role.PLATFORM_ADMIN)


def _module_or_404(slug: str) -> Module:
    module = services.module_by_slug(slug)
    if module is None:
        abort(404)
    return module


@bp.route("/")
@authors_only
def index():
    course_id = int_arg(request.args, "course")
    courses = services.courses()
    course = next((c for c in courses if c.id == course_id), courses[0] if courses else None)
    gain = services.knowledge_gain(course) if course else []
    return render_template("itemstats/index.html", courses=courses, course=course, gain=gain,
                           threshold=services.DEFAULT_THRESHOLD)


@bp.route("/<slug>")
@authors_only
def module(slug):
    module = _module_or_404(slug)
    stats = services.bank_statistics(module)
    return render_template("itemstats/module.html", module=module, stats=stats,
                           country_names=services.country_names(), flags=FLAG_LABELS)


@bp.route("/<slug>.csv")
@authors_only
def module_csv(slug):
    module = _module_or_404(slug)
    body = spreadsheets.to_csv(services.CSV_HEADER, services.csv_rows(module, services.bank_statistics(module)))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=item-statistics-{module.slug}.csv",
                             "Cache-Control": "no-store"})


FLAG_LABELS = {
    "too_easy": _l("too easy"), "too_hard": _l("too hard"),
    "negative_discrimination": _l("negative discrimination"),
    "weak_discrimination": _l("weak discrimination"), "unused_distractor": _l("a distractor nobody picks"),
}
