from flask import Blueprint, abort, render_template, request

from app.foundation.decorators import roles_required
from app.foundation.roles import Role

from . import services

bp = Blueprint("curriculum", __name__, url_prefix="/curriculum")
staff_only = roles_required(Role.PLATFORM_ADMIN, Role.COORDINATOR, Role.ACADEMY_ADMIN)


@bp.route("/")
@staff_only
def catalogue():
    return render_template("curriculum/catalogue.html", courses=services.catalogue())


@bp.route("/modules/<slug>")
@staff_only
def preview(slug):
    country = (request.args.get("country") or "").upper()
    countries = services.countries()
    codes = {c.code for c in countries}
    if country not in codes:
        from flask_login import current_user

        country = current_user.country_code
    language = request.args.get("language") or "en"
    found = services.preview(slug, country, language)
    if found is None:
        abort(404)
    module, version, content = found
    return render_template("curriculum/preview.html", module=module, version=version, content=content,
                           countries=countries, country=country, language=language,
                           languages=services.preview_languages(module))


@bp.route("/status")
@roles_required(Role.PLATFORM_ADMIN)
def status():
    """The localisation matrix, read from the curriculum files as deployed."""
    from pathlib import Path

    from flask import current_app

    from .status import course_translations, matrix
    from .tree import read_curriculum

    cur = read_curriculum(Path(current_app.config["CURRICULA_DIR"]), Path(current_app.config["ASSESSMENTS_DIR"]))
    return render_template("curriculum/status.html", rows=matrix(cur), countries=sorted(cur.profiles),
                           courses=course_translations(cur), problems=cur.problems)
