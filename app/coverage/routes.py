"""Coordinator dashboard, target populations and API tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.foundation.decorators import roles_required
from app.foundation.forms import ActionForm
from app.foundation.languages import country_name
from app.foundation.prongs import prong_label
from app.foundation.roles import Role
from app.utils import utcnow

from . import drill, institutionalisation, services, tables, tokens
from .forms import TargetForm, TokenForm

bp = Blueprint("coverage", __name__, url_prefix="/coverage")
viewers = roles_required(Role.COORDINATOR, Role.REGIONAL_COORDINATOR, Role.PLATFORM_ADMIN, Role.ACADEMY_ADMIN)
target_setters = roles_required(Role.COORDINATOR, Role.ACADEMY_ADMIN, Role.PLATFORM_ADMIN)
token_owners = roles_required(Role.COORDINATOR, Role.ACADEMY_ADMIN)


def _threshold() -> int:
    return current_app.config.get("COVERAGE_MIN_CELL", services.DEFAULT_THRESHOLD)


def _as_of(scope: services.Scope):
    try:
        return services.parse_query({"as_of": request.args.get("as_of", "")}, scope, utcnow().date()).as_of
    except services.CoverageError as exc:
        abort(400, exc.message)


def _academies() -> dict:
    return {a.slug: a for a in services.academies()}


def _date_args(as_of) -> dict:
    """The date to keep in links: only when the viewer chose one."""
    return {"as_of": as_of.isoformat()} if request.args.get("as_of") else {}


def _dashboard_tables(base: services.Query, scope: services.Scope) -> tuple[dict, dict]:
    """The dashboard's tables (named, linked, protected), and the figures behind its charts."""
    regional = scope.countries is None and not base.country
    today = utcnow().date()
    dated = _date_args(base.as_of)

    def figures(group_by, overdue=False):
        query = services.Query(base.as_of, base.country, base.academy, base.prong, group_by, base.filters,
                               overdue_on=today if overdue else None)
        return services.compute(query, scope, _threshold())

    def to_country(row):
        code = row.get("country") or base.country or next(iter(scope.countries or []), None)
        place = drill.Place("country", code)
        return url_for(".country", code=code, **dated) if code and drill.may_open(current_user, place) else None

    def to_academy(row):
        academy = academies.get(row.get("academy"))
        if academy is None or not drill.may_open(current_user, drill.Place("academy", academy.country_code, academy)):
            return None
        return url_for(".academy", slug=academy.slug, **dated)

    academies = _academies()
    results = {"by_prong": figures(("country", "prong") if regional else ("prong",)),
               "by_academy": drill.by_academy(current_user, _countries_with_academies(base, scope), base.as_of, today,
                                              _threshold(), base.academy, base.prong),
               "trend": figures(("prong", "quarter")),
               "overdue": figures(("academy",), overdue=True),
               "by_stage": figures(("prong", "stage")),
               "by_sex": figures(("prong", "sex")),
               "by_delivery": figures(("prong",))}
    listed = drill.children(drill.Place("region"), scope) if regional else None
    by_prong = (tables.figures_table("by-prong", _("Coverage by country and prong"), results["by_prong"], ["country", "prong"],
                                     academies, link=to_country, name_link={"country": to_country}, listed=listed,
                                     empty=_("No trainees yet"))
                if regional else
                tables.figures_table("by-prong", _("Coverage by prong"), results["by_prong"], ["prong"], academies,
                                     link=to_country))
    named = {
        "by_prong": by_prong,
        "by_academy": tables.figures_table("by-academy", _("Coverage by academy and prong"), results["by_academy"],
                                           ["country", "academy", "prong"], academies, link=to_academy,
                                           name_link={"academy": to_academy, "country": to_country},
                                           with_overdue=True),
        "trend": tables.figures_table("trend", _("Coverage at the end of each quarter"), results["trend"],
                                      ["period", "prong"], academies),
        "overdue": tables.overdue_table("overdue", _("Trainees past a due date, by academy"), results["overdue"],
                                        academies, to_academy),
        "by_stage": tables.figures_table("by-stage", _("Coverage by prong and training stage"), results["by_stage"],
                                         ["prong", "stage"], academies),
        "by_sex": tables.figures_table("by-sex", _("Coverage by prong and sex"), results["by_sex"], ["prong", "sex"],
                                       academies),
        "by_delivery": tables.delivery_table("by-delivery", _("Trained by delivery"), results["by_delivery"],
                                             ["prong"], academies),
        "gain": tables.gain_table("knowledge-gain", _("Knowledge gain by prong"),
                                  services.knowledge_gain(base, scope, _threshold())),
    }
    return named, _charts(results, regional)


def _countries_with_academies(base: services.Query, scope: services.Scope) -> list[str]:
    if base.country:
        return [base.country]
    codes = sorted({a.country_code for a in services.academies()})
    return [c for c in codes if scope.countries is None or c in scope.countries]


def _dashboard_query(scope: services.Scope) -> services.Query:
    try:
        return services.parse_query(dict(request.args), scope, utcnow().date())
    except services.CoverageError as exc:
        abort(exc.status, exc.message)
    except PermissionError:
        abort(403)


@bp.route("/")
@viewers
def dashboard():
    scope = services.Scope.for_user(current_user)
    base = _dashboard_query(scope)
    regional = scope.countries is None and not base.country
    named, charts = _dashboard_tables(base, scope)
    countries = drill.children(drill.Place("region"), scope) if scope.countries is None else []
    kept = {k: request.args[k] for k in ("country", "as_of") if request.args.get(k)}
    exports = {name: {fmt: url_for(".dashboard_export", table=name, fmt=fmt, **kept) for fmt in ("csv", "xlsx")}
               for name in named}
    return render_template("coverage/dashboard.html", tables=named, exports=exports, charts=charts, query=base, regional=regional,
                           countries=countries, threshold=_threshold(), root=_root(),
                           as_of_text=format_date(base.as_of, "long"))


@bp.route("/export/<table>.<fmt>")
@viewers
def dashboard_export(table, fmt):
    """One table of the dashboard as CSV or XLSX: the same rows, names and withheld cells as the page."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    scope = services.Scope.for_user(current_user)
    base = _dashboard_query(scope)
    named, _charts_unused = _dashboard_tables(base, scope)
    if table not in named:
        abort(404)
    return _download(named[table], fmt, f"coverage-{table}-{base.as_of.isoformat()}")


def _download(table, fmt: str, filename: str) -> Response:
    body, mimetype, name = tables.export(table, fmt, filename)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _charts(results: dict, regional: bool) -> dict:
    """Chart series from the same figures as the tables (the tables are the charts' text alternative)."""
    by_prong = [(" · ".join(v for v in ((country_name(r["country"]) if regional else None), prong_label(r["prong"]))
                            if v), r["coverage"])
                for r in results["by_prong"]["rows"]]
    periods = list(dict.fromkeys(r["period"] for r in results["trend"]["rows"]))
    series: dict[str, list] = {}
    for r in results["trend"]["rows"]:
        series.setdefault(prong_label(r["prong"]), [None] * len(periods))[periods.index(r["period"])] = r["coverage"]
    return {"by_prong": by_prong, "trend": sorted(series.items()), "periods": periods}


# --- the drill-down ------------------------------------------------------------------------------


def _root():
    try:
        return drill.root_for(current_user)
    except drill.PlaceRefused:
        return None


def _place_url(place: drill.Place, dated: dict, export: str | None = None) -> str:
    suffix = "_export" if export else ""
    extra = {"fmt": export} if export else {}
    if place.level == "region":
        return url_for(f".region{suffix}", **dated, **extra)
    if place.level == "country":
        return url_for(f".country{suffix}", code=place.country, **dated, **extra)
    if place.level == "academy":
        return url_for(f".academy{suffix}", slug=place.academy.slug, **dated, **extra)
    return url_for(f".unit{suffix}", slug=place.academy.slug, unit=place.unit, **dated, **extra)


def _level_table(place: drill.Place, as_of):
    """The table of one level: its rows by the level below and prong, each figure a link one level down."""
    scope = services.Scope.for_user(current_user)
    result = drill.figures(current_user, place, as_of, utcnow().date(), _threshold())
    academies = _academies()
    dated = _date_args(as_of)
    child = drill.CHILD[place.level]

    def child_place(row):
        if child == "country":
            return drill.Place("country", row["country"])
        if child == "academy":
            academy = academies[row["academy"]]
            return drill.Place("academy", academy.country_code, academy)
        if child == "unit":
            return drill.Place("unit", place.country, place.academy, row["unit"])
        return None

    def link(row):
        target = child_place(row)
        return _place_url(target, dated) if target and drill.may_open(current_user, target) else None

    columns = [child, "prong"] if child else ["prong"]
    listed = None
    if place.level == "region":
        listed = drill.children(place, scope)
    elif place.level == "country":
        listed = [a.slug for a in drill.children(place, scope)]
    where = drill.describe(place)
    title = {"region": _("Coverage by country and prong"),
             "country": _("Coverage in %(place)s, by academy and prong", place=where),
             "academy": _("Coverage in %(place)s, by unit and prong", place=where),
             "unit": _("Coverage in %(place)s, by prong", place=where)}[place.level]
    table = tables.figures_table("level", title, result, columns, academies, link=link,
                                 name_link={child: link} if child else None, with_overdue=True, listed=listed,
                                 empty=_("No trainees yet"))
    return table, result


@bp.route("/drill")
@viewers
def drill_root():
    """Where a viewer's drill-down starts: the region, their country, or their academy."""
    root = drill.root_for(current_user)
    dated = {"as_of": request.args["as_of"]} if request.args.get("as_of") else {}  # the only argument carried on
    return redirect(_place_url(root, dated))


def _level_page(place: drill.Place):
    as_of = _as_of(services.Scope.for_user(current_user))
    table, result = _level_table(place, as_of)
    dated = _date_args(as_of)
    trail = [(drill.describe(p), _place_url(p, dated)) for p in place.trail() if drill.may_open(current_user, p)]
    exports = {fmt: _place_url(place, dated, export=fmt) for fmt in ("csv", "xlsx")}
    return render_template("coverage/level.html", place=place, table=table, trail=trail, as_of=as_of,
                           today=utcnow().date(), threshold=result["threshold"], exports=exports,
                           heading=drill.describe(place), level=place.level,
                           as_of_text=format_date(as_of, "long"), today_text=format_date(utcnow().date(), "long"))


def _level_export(place: drill.Place, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    as_of = _as_of(services.Scope.for_user(current_user))
    table, _result = _level_table(place, as_of)
    name = "-".join(x for x in ("coverage", place.country or "region", place.academy.slug if place.academy else "",
                                "unit" if place.level == "unit" else "", as_of.isoformat()) if x)
    return _download(table, fmt, name.lower())


def _unit_arg() -> str:
    return (request.args.get("unit") or "").strip()


@bp.route("/region")
@viewers
def region():
    return _level_page(drill.place_for(current_user))


@bp.route("/region/export.<fmt>")
@viewers
def region_export(fmt):
    return _level_export(drill.place_for(current_user), fmt)


@bp.route("/countries/<code>")
@viewers
def country(code):
    return _level_page(drill.place_for(current_user, country=code))


@bp.route("/countries/<code>/export.<fmt>")
@viewers
def country_export(code, fmt):
    return _level_export(drill.place_for(current_user, country=code), fmt)


@bp.route("/academies/<slug>")
@viewers
def academy(slug):
    return _level_page(drill.place_for(current_user, academy_slug=slug))


@bp.route("/academies/<slug>/export.<fmt>")
@viewers
def academy_export(slug, fmt):
    return _level_export(drill.place_for(current_user, academy_slug=slug), fmt)


@bp.route("/academies/<slug>/unit")
@viewers
def unit(slug):
    return _level_page(drill.place_for(current_user, academy_slug=slug, unit=_unit_arg()))


@bp.route("/academies/<slug>/unit/export.<fmt>")
@viewers
def unit_export(slug, fmt):
    return _level_export(drill.place_for(current_user, academy_slug=slug, unit=_unit_arg()), fmt)


# --- institutionalisation ------------------------------------------------------------------------


def _institutionalisation_tables() -> dict:
    scope = services.Scope.for_user(current_user)
    rules = institutionalisation.rules(scope)
    return tables.institutionalisation_tables(rules, institutionalisation.per_year(rules, utcnow().date()))


@bp.route("/institutionalisation")
@viewers
def institutionalisation_page():
    """Which academies (in the viewer's scope) have built which course into which curriculum, since when."""
    named = _institutionalisation_tables()
    exports = {name: {fmt: url_for(".institutionalisation_export", table=name, fmt=fmt) for fmt in ("csv", "xlsx")}
               for name in named}
    return render_template("coverage/institutionalisation.html", tables=named, exports=exports)


@bp.route("/institutionalisation/<table>.<fmt>")
@viewers
def institutionalisation_export(table, fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    named = _institutionalisation_tables()
    if table not in named:
        abort(404)
    return _download(named[table], fmt, f"institutionalisation-{table.replace('_', '-')}-{utcnow().date().isoformat()}")


def _places():
    """The places the user may set targets for: (value, label, country, academy)."""
    countries, academies = services.target_places(current_user)
    return ([(f"country:{c.code}", _("%(country)s (whole country)", country=country_name(c.code, c.name)), c.code, None)
             for c in countries]
            + [(f"academy:{a.id}", a.name, a.country_code, a) for a in academies])


@bp.route("/targets", methods=["GET", "POST"])
@target_setters
def targets():
    places = _places()
    form = TargetForm()
    form.place.choices = [(value, label) for value, label, _c, _a in places]
    if form.validate_on_submit():
        chosen = next(p for p in places if p[0] == form.place.data)
        services.set_target(current_user, country=chosen[2], academy=chosen[3], prong=form.prong.data,
                            target=form.target.data, effective_from=form.effective_from.data)
        db.session.commit()
        flash(_("Target saved; earlier figures are kept for past dates."), "success")
        return redirect(url_for(".targets"))
    return render_template("coverage/targets.html", form=form,
                           history=services.target_history(services.Scope.for_user(current_user))), \
        (422 if form.errors else 200)


@bp.route("/tokens", methods=["GET", "POST"])
@token_owners
def api_tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = tokens.create_for(current_user, form.name.data)
        db.session.commit()
    return render_template("coverage/tokens.html", form=form, secret=secret, tokens=tokens.tokens_for(current_user))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@token_owners
def revoke_token(token_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    if not tokens.revoke(current_user, token_id):
        abort(404)
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for(".api_tokens"))
