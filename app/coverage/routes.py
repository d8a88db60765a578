"""Coordinator dashboard, target populations and API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.foundation.decorators import roles_required
from app.foundation.forms import ActionForm
from app.foundation.roles import Role
from app.utils import utcnow

from . import services, tokens
from .forms import TargetForm, TokenForm

bp = Blueprint("coverage", __name__, url_prefix="/coverage")
viewers = roles_required(Role.COORDINATOR, Role.REGIONAL_COORDINATOR, Role.PLATFORM_ADMIN, Role.ACADEMY_ADMIN)
target_setters = roles_required(Role.COORDINATOR, Role.ACADEMY_ADMIN, Role.PLATFORM_ADMIN)
token_owners = roles_required(Role.COORDINATOR, Role.ACADEMY_ADMIN)


def _threshold() -> int:
    return current_app.config.get("COVERAGE_MIN_CELL", services.DEFAULT_THRESHOLD)


@bp.route("/")
@viewers
def dashboard():
    scope = services.Scope.for_user(current_user)
    args = dict(request.args)
    try:
        base = services.parse_query(args, scope, utcnow().date())
    except services.CoverageError as exc:
        abort(exc.status, exc.message)
    except PermissionError:
        abort(403)
    regional = scope.countries is None and not base.country

    def figures(group_by):
        query = services.Query(base.as_of, base.country, base.academy, base.prong, group_by, base.filters)
        return services.compute(query, scope, _threshold())

    tables = {
        "by_prong": figures(("country", "prong") if regional else ("prong",)),
        "by_academy": figures(("academy", "prong")),
        "trend": figures(("prong", "quarter")),
    }
    countries = services.countries() if scope.countries is None else []
    return render_template("coverage/dashboard.html", tables=tables, charts=_charts(tables), query=base, regional=regional,
                           countries=countries, overdue=services.overdue_by_academy(scope, utcnow().date()),
                           gain=services.knowledge_gain(base, scope, _threshold()),
                           threshold=_threshold())


def _charts(tables: dict) -> dict:
    """Chart series from the same figures as the tables (the tables are the charts' text alternative)."""
    by_prong = [(" · ".join(v for v in (r["country"], r["prong"]) if v), r["coverage"])
                for r in tables["by_prong"]["rows"]]
    periods = list(dict.fromkeys(r["period"] for r in tables["trend"]["rows"]))
    series: dict[str, list] = {}
    for r in tables["trend"]["rows"]:
        series.setdefault(r["prong"], [None] * len(periods))[periods.index(r["period"])] = r["coverage"]
    return {"by_prong": by_prong, "trend": sorted(series.items()), "periods": periods}


def _places():
    """The places the user may set targets for: (value, label, country, academy)."""
    countries, academies = services.target_places(current_user)
    return ([(f"country:{c.code}", _("%(country)s (whole country)", country=c.name), c.code, None) for c in countries]
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
