from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.foundation.decorators import roles_required
from app.foundation.roles import Role
from app.foundation.spreadsheets import to_csv, to_xlsx
from app.utils import utcnow

from . import review, services
from .status import LANGUAGE_SHEET_HEADER, course_translations, language_sheet, matrix
from .tree import read_curriculum

bp = Blueprint("curriculum", __name__, url_prefix="/curriculum")
staff_only = roles_required(Role.PLATFORM_ADMIN, Role.COORDINATOR, Role.ACADEMY_ADMIN, Role.TRAINER)


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
        country = current_user.country_code
    language = request.args.get("language") or "en"
    found = services.preview(slug, country, language)
    if found is None:
        abort(404)
    module, version, content = found
    return render_template("curriculum/preview.html", module=module, version=version, content=content,
                           countries=countries, country=country, language=language,
                           languages=services.preview_languages(module))


#: Who may read trainer's guides: the staff who run classroom training, never trainees.
GUIDE_READERS = (Role.PLATFORM_ADMIN, Role.ACADEMY_ADMIN, Role.TRAINER, Role.COORDINATOR, Role.REGIONAL_COORDINATOR)
GUIDE_HEADINGS = {"Timing": _l("Timing"), "Learning activities": _l("Learning activities"),
                  "Running the case": _l("Running the case"), "Discussion questions": _l("Discussion questions"),
                  "Materials": _l("Materials")}


@bp.route("/modules/<slug>/guide")
@roles_required(*GUIDE_READERS)
def guide(slug):
    """The module's trainer's guide (facilitator notes), printable."""
    found = services.guide(slug)
    if found is None:
        abort(404)
    module, notes = found
    return render_template("curriculum/guide.html", module=module, version=module.current_version, guide=notes,
                           headings=GUIDE_HEADINGS)


@bp.route("/status")
@roles_required(Role.PLATFORM_ADMIN)
def status():
    """The localisation matrix, read from the curriculum files as deployed."""
    cur = read_curriculum(Path(current_app.config["CURRICULA_DIR"]), Path(current_app.config["ASSESSMENTS_DIR"]))
    return render_template("curriculum/status.html", rows=matrix(cur), countries=sorted(cur.profiles),
                           courses=course_translations(cur), problems=cur.problems)


@bp.route("/translations")
@roles_required(Role.COORDINATOR, Role.REGIONAL_COORDINATOR, Role.PLATFORM_ADMIN)
def translation_sheet():
    """Per language: what is missing, draft, outdated or reviewed, module by module (CSV, XLSX)."""
    cur = read_curriculum(Path(current_app.config["CURRICULA_DIR"]), Path(current_app.config["ASSESSMENTS_DIR"]))
    languages = sorted({lang for p in cur.profiles.values() for lang in p.languages + p.fallback} - {"en"})
    language = request.args.get("language") or (languages[0] if languages else "sq")
    if language not in languages:
        abort(404)
    rows = language_sheet(cur, language)
    fmt = request.args.get("format")
    name = f"translations-{language}-{utcnow().date().isoformat()}"
    if fmt == "csv":
        return Response(to_csv(LANGUAGE_SHEET_HEADER, rows), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv", "Cache-Control": "no-store"})
    if fmt == "xlsx":
        return Response(to_xlsx(LANGUAGE_SHEET_HEADER, rows, language),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx", "Cache-Control": "no-store"})
    return render_template("curriculum/translation_sheet.html", rows=rows, language=language, languages=languages)


@bp.route("/review-sheet")
@roles_required(Role.COORDINATOR, Role.REGIONAL_COORDINATOR, Role.PLATFORM_ADMIN)
def review_sheet():
    """Every national claim of a country with its status and source, to send to a legal expert (CSV, XLSX)."""
    cur = read_curriculum(Path(current_app.config["CURRICULA_DIR"]), Path(current_app.config["ASSESSMENTS_DIR"]))
    countries = sorted(cur.profiles)
    if current_user.role == Role.COORDINATOR:
        country = current_user.country_code
    else:
        country = (request.args.get("country") or "").upper()
        country = country if country in cur.profiles else countries[0]
    sheet = review.rows(cur, country)
    fmt = request.args.get("format")
    name = f"national-claims-{country}-{utcnow().date().isoformat()}"
    if fmt == "csv":
        return Response(review.to_csv(sheet), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv", "Cache-Control": "no-store"})
    if fmt == "xlsx":
        return Response(review.to_xlsx(sheet, country),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx", "Cache-Control": "no-store"})
    counts = {status: sum(1 for r in sheet if r.status == status) for status in ("law", "secondary", "unconfirmed")}
    return render_template("curriculum/review_sheet.html", sheet=sheet, country=country, counts=counts,
                           countries=countries if current_user.role != Role.COORDINATOR else [],
                           names={code: p.name for code, p in cur.profiles.items()})
