"""Coverage arithmetic: the one place where trained, in progress, enrolled, target and coverage are defined.

Definitions (see docs/coverage.md), for a date D (end of day) and a prong P:
- Target population: the latest target figure with `effective_from` <= D, per academy (or, for a
  country, the country-wide figure if one exists, else the sum of its academies' figures).
- Serving on D: a period of service (`auth.models.ServicePeriod`: from joining or returning to suspension or
  departure) covers D. Earlier suspensions count: a person is not serving on a date inside one.
- Owed P's course on D: by their service category, an assignment (direct or to their cohort) of the whole course
  or a mandatory rule of their academy, as it applied on D (`enrolment.rules.added_obligation_rows`); once per person.
- Enrolled: trainees owed P's course on D and serving on D.
- Completed P's course by D: a completion (`learning.models.CourseCompletion`, the first or a renewal) on or before
  D. Valid on D: such a completion whose validity (`valid_until`, from the course's `validity_months`) has not
  ended by D (null: it never lapses).
- Trained: enrolled trainees (serving on D) who hold a completion of P's course valid on D.
- Lapsed: enrolled trainees who completed P's course by D but hold no completion valid on D (a refresher is due).
- Trained staff lost (`trained_lost`): trainees owed P's course on D who completed P's course on or before D, had
  begun serving on or before D and are not serving on D (suspended or left on or before D): reported beside trained,
  never in it.
- In progress: enrolled trainees who had started P's course by D and not completed it by D.
- Coverage = trained / target (null when there is no target or it is 0).
- Overdue (when asked for): trainees past a due date on P's course, by `learning.progress.overdue_rows`.

- Trained by delivery (`trained_online`, `trained_classroom`, `trained_blended`): the trained, split by how their
  completion of P's course was delivered (`CourseProgress.delivery`); each a count of its own.

Rows may be grouped by a trainee's unit (the drill-down below an academy), training stage (cadet in basic training
or serving officer) and sex ("not stated" a group of its own), each as recorded now; none of these has targets, so
such rows show no target and no coverage.

Small-number protection (app/foundation/disclosure.py, the cell-key method): every count is
published with a perturbation read from the record keys of the people it counts, so the same people
give the same figure in every view and to every viewer; a row (or total) whose published enrolled
count is 1 to `threshold` - 1 is withheld.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.academy.models import Academy
from app.audit.services import audit
from app.auth.models import ServicePeriod, User
from app.curriculum.models import Country, Course
from app.enrolment.rules import added_obligation_rows
from app.extensions import db
from app.foundation import disclosure, stages
from app.foundation.prongs import PRONGS
from app.foundation.roles import Role
from app.learning.models import CourseCompletion, CourseProgress, QuizAttempt
from app.learning.progress import overdue_rows

from .models import TargetPopulation

DIMENSIONS = ("country", "academy", "prong", "stage", "sex", "month", "quarter")
#: Dimensions of the pages only: a trainee's unit (the API does not offer it).
UNIT = "unit"
#: Dimensions read from the person (as recorded now): rows grouped by any of them have no target.
PERSON_DIMENSIONS = (UNIT, "stage", "sex")
TIME_DIMENSIONS = ("month", "quarter")
PERIODS = {"month": 12, "quarter": 8}
DEFAULT_THRESHOLD = disclosure.DEFAULT_THRESHOLD
#: The dates figures can be asked for: the platform holds nothing earlier, and the periods of a trend
#: (up to 8 quarters back) and the end of the day after must stay valid dates.
EARLIEST_AS_OF, LATEST_AS_OF = date(2000, 1, 1), date(2199, 12, 31)
AS_OF_PATTERN = r"^2[01][0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def group_by_values() -> list[str]:
    """Every accepted `group_by`: place, prong, stage and sex dimensions in this order, then at most one of month or
    quarter."""
    places = ("country", "academy", "prong", "stage", "sex")
    combos = [[d for i, d in enumerate(places) if mask >> i & 1] for mask in range(1 << len(places))]
    values = []
    for combo in sorted(combos, key=lambda c: (len(c), [places.index(d) for d in c])):
        for time_dim in (None, *TIME_DIMENSIONS):
            dims = combo + ([time_dim] if time_dim else [])
            if dims:
                values.append(",".join(dims))
    return values


GROUP_BY_VALUES = tuple(group_by_values())
DEFAULT_GROUP_BY = "country,prong"


class CoverageError(ValueError):
    """A bad parameter; `parameter` names it; `status` 400, or 404 for a place that does not exist."""

    def __init__(self, parameter: str, message: str, status: int = 400):
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.status = status


@dataclass
class Scope:
    """What the asker may see: every country, some countries, or one academy."""

    countries: set[str] | None = None  # None: all countries
    academy_id: int | None = None

    @classmethod
    def for_user(cls, user: User) -> Scope:
        if user.role in (Role.PLATFORM_ADMIN, Role.REGIONAL_COORDINATOR):
            return cls()
        if user.role == Role.COORDINATOR:
            return cls(countries={user.country_code})
        if user.role == Role.ACADEMY_ADMIN:
            return cls(countries={user.country_code}, academy_id=user.academy_id)
        return cls(countries=set(), academy_id=-1)


@dataclass
class Query:
    as_of: date
    country: str | None = None
    academy: str | None = None
    prong: str | None = None
    group_by: tuple[str, ...] = ("country", "prong")
    filters: dict = field(default_factory=dict)
    #: One unit of the academy ("" for trainees with no unit recorded); None: every unit.
    unit: str | None = None
    #: Count overdue trainees (on this day) in every row; not with a time dimension.
    overdue_on: date | None = None


def _parse_place(args) -> tuple[str | None, str | None, Academy | None, str | None]:
    country = args.get("country") or None
    academy_slug = args.get("academy") or None
    prong = args.get("prong") or None
    if country is not None and (country not in country_codes()):
        raise CoverageError("country", f"Unknown country '{country[:20]}' (expected one of: "
                                       f"{', '.join(country_codes())}).")
    academy = None
    if academy_slug is not None:
        academy = db.session.scalar(sa.select(Academy).filter_by(slug=academy_slug[:80])) \
            if len(academy_slug) <= 80 else None
        if academy is None:
            raise CoverageError("academy", f"Unknown academy '{academy_slug[:80]}'.", status=404)
    if prong is not None and prong not in PRONGS:
        raise CoverageError("prong", f"Unknown prong '{prong}' (expected one of: {', '.join(PRONGS)}).")
    return country, academy_slug, academy, prong


def _parse_as_of(args, today: date) -> date:
    raw_date = args.get("as_of") or ""
    if not raw_date:
        return today
    try:
        as_of = date.fromisoformat(raw_date) if len(raw_date) == 10 else None
    except ValueError:
        as_of = None
    if as_of is None:
        raise CoverageError("as_of", f"'{raw_date[:40]}' is not a date in the form YYYY-MM-DD.")
    if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
        raise CoverageError("as_of", f"as_of must be between {EARLIEST_AS_OF.isoformat()} and "
                                     f"{LATEST_AS_OF.isoformat()}.")
    return as_of


def _parse_group_by(args) -> tuple[str, ...]:
    raw_group = args.get("group_by")
    if raw_group is None:
        raw_group = DEFAULT_GROUP_BY
    if not raw_group.strip():
        raise CoverageError("group_by", f"group_by is empty; leave it out for the default ({DEFAULT_GROUP_BY}).")
    group_by = tuple(raw_group.split(","))
    unknown = [g for g in group_by if g not in DIMENSIONS]
    if unknown:
        raise CoverageError("group_by", f"Unknown group '{unknown[0][:40]}' (expected any of: "
                                        f"{', '.join(DIMENSIONS)}).")
    if sum(g in TIME_DIMENSIONS for g in group_by) > 1:
        raise CoverageError("group_by", "Group by month or by quarter, not both.")
    if ",".join(group_by) not in GROUP_BY_VALUES:
        raise CoverageError("group_by", "List each group once, in this order: country, academy, prong, stage, sex, "
                                        "then month or quarter.")
    return group_by


def _check_scope(scope: Scope, country: str | None, academy: Academy | None) -> None:
    """Asking outside one's scope is refused, not silently narrowed."""
    if scope.countries is not None:
        if country is not None and country not in scope.countries:
            raise PermissionError("country")
        if academy is not None and academy.country_code not in scope.countries:
            raise PermissionError("academy")
    if scope.academy_id is not None and academy is not None and academy.id != scope.academy_id:
        raise PermissionError("academy")


def parse_query(args, scope: Scope, today: date) -> Query:
    """Check request parameters; raise CoverageError naming the bad one. Out-of-scope asks raise PermissionError."""
    country, academy_slug, academy, prong = _parse_place(args)
    as_of = _parse_as_of(args, today)
    group_by = _parse_group_by(args)
    _check_scope(scope, country, academy)
    filters = {k: v for k, v in (("country", country), ("academy", academy_slug), ("prong", prong)) if v}
    return Query(as_of, country, academy_slug, prong, group_by, filters)


# --- dates ---------------------------------------------------------------------------------------


def period_ends(as_of: date, unit: str) -> list[tuple[str, date]]:
    """(label, last day) for the periods ending at `as_of`, oldest first; the last one ends on `as_of`."""
    ends = []
    year, month = as_of.year, as_of.month
    step = 3 if unit == "quarter" else 1
    if unit == "quarter":
        month = ((month - 1) // 3) * 3 + 3
    for _ in range(PERIODS[unit]):
        last = date(year, month, calendar.monthrange(year, month)[1])
        label = f"{year}-Q{(month - 1) // 3 + 1}" if unit == "quarter" else f"{year}-{month:02d}"
        ends.append((label, min(last, as_of)))
        month -= step
        if month <= 0:
            month += 12
            year -= 1
    return list(reversed(ends))


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min)


# --- facts ---------------------------------------------------------------------------------------


def _unit_of(users) -> sa.ColumnElement:
    """A trainee's unit as figures group it: trimmed, "" where none is recorded."""
    return sa.func.coalesce(sa.func.trim(users.c.unit), "")


#: How a completion was delivered (`CourseProgress.delivery`): trained is also counted per delivery.
DELIVERIES = ("online", "classroom", "blended")
DELIVERY_MEASURES = tuple(f"trained_{delivery}" for delivery in DELIVERIES)
#: The counts of a row, each published with its own cell key; `_facts` counts them in this order.
MEASURES = ("trained", "in_progress", "enrolled", "trained_lost", "lapsed") + DELIVERY_MEASURES


def _person_columns(u, grouped: tuple[str, ...]) -> list[sa.ColumnElement]:
    """The person dimensions (`PERSON_DIMENSIONS`) as figures group them, a NULL for each one not grouped: the unit
    (trimmed, "" where none), the training stage, and sex ("not_stated" where none is recorded)."""
    expressions = {UNIT: _unit_of(u), "stage": u.c.training_stage,
                   "sex": sa.func.coalesce(u.c.sex, stages.NOT_STATED)}
    return [expressions[d] if d in grouped else sa.null() for d in PERSON_DIMENSIONS]


def _service(days: list[date]) -> sa.Subquery:
    """Per person with a service history: `serving_<i>` 1 if a period of service covers days[i] (started on or
    before it, not ended on or before it), else 0; `joined` the first day of service. One row per person."""
    sp = ServicePeriod.__table__
    columns = [sp.c.user_id, sa.func.min(sp.c.started_on).label("joined")]
    for index, day in enumerate(days):
        covers = sa.and_(sp.c.started_on <= day, sa.or_(sp.c.ended_on.is_(None), sp.c.ended_on > day))
        columns.append(sa.func.max(sa.case((covers, 1), else_=0)).label(f"serving_{index}"))
    return sa.select(*columns).group_by(sp.c.user_id).subquery("service")


def _completions(days: list[date]) -> sa.Subquery:
    """Per person and course completed (`CourseCompletion`, first and renewals): `completed_<i>` 1 if a completion
    was made by the end of days[i], `valid_<i>` 1 if one of those is still valid on days[i] (lapses after it, or
    never). One row per person and course."""
    cc = CourseCompletion.__table__
    columns = [cc.c.user_id, cc.c.course_id]
    for index, day in enumerate(days):
        by_then = cc.c.completed_at < _end_of(day)
        valid = sa.and_(by_then, sa.or_(cc.c.valid_until.is_(None), cc.c.valid_until > day))
        columns.append(sa.func.max(sa.case((by_then, 1), else_=0)).label(f"completed_{index}"))
        columns.append(sa.func.max(sa.case((valid, 1), else_=0)).label(f"valid_{index}"))
    return sa.select(*columns).group_by(cc.c.user_id, cc.c.course_id).subquery("completions")


def _added_obligations(days: list[date]) -> sa.Subquery:
    """Per trainee and course they must take beyond their category's own (`enrolment.rules.added_obligation_rows`):
    `obliged_<i>` 1 if an obligation applied on days[i] (begun by the end of it, not ended by then), else 0. One
    row per person and course, so that a course owed for two reasons counts the person once."""
    o = added_obligation_rows()
    columns = [o.c.user_id, o.c.prong]
    for index, day in enumerate(days):
        end = _end_of(day)
        applies = sa.and_(sa.or_(o.c.since.is_(None), o.c.since < end), sa.or_(o.c.until.is_(None), o.c.until >= end))
        columns.append(sa.func.max(sa.case((applies, 1), else_=0)).label(f"obliged_{index}"))
    return sa.select(*columns).group_by(o.c.user_id, o.c.prong).subquery("obligations")


def _facts(days: list[date], scope: Scope, q: Query, grouped: tuple[str, ...]) -> dict[tuple, list[tuple[int, ...]]]:
    """(academy_id, prong, unit, stage, sex: each None unless `grouped`) -> per day (the count of each of MEASURES,
    then the sum of the record keys of each of those sets of people). A course's people are those who must take it
    on the day: everyone of the service category whose course it is, and those owed it by an assignment or a
    mandatory rule while that applies (`_added_obligations`); two grouped queries, the second over the (few) added
    obligations only, whose courses differ from the person's category's, so nobody is counted twice. Who serves on
    a day is read from
    the periods of service (`ServicePeriod`), not from the account's present state."""
    u, c = User.__table__, Course.__table__
    facts = _count(days, scope, q, grouped, u.c.category, None, u.join(c, c.c.prong == u.c.category, isouter=True))
    owed = _added_obligations(days)
    added = _count(days, scope, q, grouped, owed.c.prong, owed,
                   u.join(owed, owed.c.user_id == u.c.id).join(c, c.c.prong == owed.c.prong, isouter=True))
    for key, per_day in added.items():
        if key in facts:
            facts[key] = [tuple(a + b for a, b in zip(x, y, strict=True)) for x, y in zip(facts[key], per_day,
                                                                                        strict=True)]
        else:
            facts[key] = per_day
    return facts


def _count(days: list[date], scope: Scope, q: Query, grouped: tuple[str, ...], prong, owed, people) -> dict[tuple, list]:
    """One grouped query of `_facts`: `people` joins the users to the course (`Course`) of `prong`; `owed`, when
    given, has `obliged_<i>` per day (else the course is owed on every day)."""
    u, cp, c = User.__table__, CourseProgress.__table__, Course.__table__
    service = _service(days)
    done_rows = _completions(days)
    unit = _unit_of(u)
    dims = _person_columns(u, grouped)
    columns = [u.c.academy_id, prong, *dims]
    for index, day in enumerate(days):
        end = _end_of(day)
        obliged = sa.true() if owed is None else owed.c[f"obliged_{index}"] == 1
        serving = sa.and_(obliged, service.c[f"serving_{index}"] == 1)
        done = done_rows.c[f"completed_{index}"] == 1
        valid = done_rows.c[f"valid_{index}"] == 1
        started = sa.and_(cp.c.started_at < end, sa.or_(done_rows.c[f"completed_{index}"].is_(None), ~done))
        # Trained staff lost: owed the course, completed it by D, served before D, and no longer serving on D.
        lost = sa.and_(obliged, done, service.c.joined <= day, service.c[f"serving_{index}"] == 0)
        conditions = (sa.and_(serving, valid), sa.and_(serving, started), serving, lost,
                      sa.and_(serving, done, ~valid))
        # Trained by delivery: the trained condition (the first), split by how the completion was delivered.
        conditions += tuple(sa.and_(conditions[0], cp.c.delivery == delivery) for delivery in DELIVERIES)
        columns += [sa.func.sum(sa.case((condition, 1), else_=0)) for condition in conditions]
        columns += [sa.func.sum(sa.case((condition, u.c.record_key), else_=0)) for condition in conditions]
    query = (
        sa.select(*columns)
        .select_from(people.join(service, service.c.user_id == u.c.id)
                     .outerjoin(cp, sa.and_(cp.c.user_id == u.c.id, cp.c.course_id == c.c.id))
                     .outerjoin(done_rows, sa.and_(done_rows.c.user_id == u.c.id, done_rows.c.course_id == c.c.id)))
        .where(u.c.role == Role.TRAINEE.value, u.c.academy_id.is_not(None))
        .group_by(u.c.academy_id, prong, *[e for e, d in zip(dims, PERSON_DIMENSIONS, strict=True) if d in grouped])
    )
    query = _restrict(query, u.c.academy_id, u.c.country_code, prong, scope, q)
    if q.unit is not None:
        query = query.where(unit == q.unit)
    facts = {}
    width = 2 * len(MEASURES)
    key_width = 2 + len(PERSON_DIMENSIONS)
    for row in db.session.execute(query):
        values = [int(v or 0) for v in row[key_width:]]
        facts[tuple(row[:key_width])] = [tuple(values[i:i + width]) for i in range(0, len(values), width)]
    return facts


def _overdue(q: Query, scope: Scope, grouped: tuple[str, ...]) -> dict[tuple, tuple[int, int]]:
    """(academy_id, prong, unit, stage, sex: each None unless `grouped`) -> (trainees overdue on the prong's course, the sum of their record keys),
    by the one rule: `overdue_rows`."""
    late = overdue_rows(q.overdue_on).subquery()
    people = sa.select(late.c.user_id, late.c.course_id).distinct().subquery()
    u, c = User.__table__, Course.__table__
    unit = _unit_of(u)
    dims = _person_columns(u, grouped)
    query = (sa.select(u.c.academy_id, c.c.prong, *dims, sa.func.count(), sa.func.sum(u.c.record_key))
             .select_from(people.join(u, u.c.id == people.c.user_id).join(c, c.c.id == people.c.course_id))
             .where(u.c.role == Role.TRAINEE.value, u.c.academy_id.is_not(None))
             .group_by(u.c.academy_id, c.c.prong, *[e for e, d in zip(dims, PERSON_DIMENSIONS, strict=True) if d in grouped]))
    query = _restrict(query, u.c.academy_id, u.c.country_code, c.c.prong, scope, q)
    if q.unit is not None:
        query = query.where(unit == q.unit)
    key_width = 2 + len(PERSON_DIMENSIONS)
    return {tuple(row[:key_width]): (int(row[key_width]), int(row[key_width + 1] or 0))
            for row in db.session.execute(query)}


def _restrict(query, academy_col, country_col, prong_col, scope: Scope, q: Query):
    if scope.countries is not None:
        query = query.where(country_col.in_(sorted(scope.countries)))
    if scope.academy_id is not None:
        query = query.where(academy_col == scope.academy_id)
    if q.country:
        query = query.where(country_col == q.country)
    if q.academy:
        query = query.where(academy_col == sa.select(Academy.id).filter_by(slug=q.academy).scalar_subquery())
    if q.prong:
        query = query.where(prong_col == q.prong)
    return query


def _targets(days: list[date], scope: Scope, q: Query):
    """Target figures that apply on each day, with the day each applies from:
    ({(academy_id, prong): [(target, effective_from) or None per day]}, {(country, prong): [...]})."""
    t = TargetPopulation.__table__
    query = sa.select(t.c.country_code, t.c.academy_id, t.c.prong, t.c.target, t.c.effective_from)
    query = _restrict(query, t.c.academy_id, t.c.country_code, t.c.prong, scope, q)
    # For one academy, `_restrict` has already kept its own figures only: country-wide ones are not the academy's.
    history: dict[tuple, list[tuple[date, int]]] = {}
    for country, academy_id, prong, target, effective in db.session.execute(query.order_by(t.c.effective_from)):
        history.setdefault((country, academy_id, prong), []).append((effective, target))
    academy_targets: dict[tuple[int, str], list[tuple[int, date] | None]] = {}
    country_targets: dict[tuple[str, str], list[tuple[int, date] | None]] = {}
    for (country, academy_id, prong), figures in history.items():
        per_day = []
        for day in days:
            applying = [(target, effective) for effective, target in figures if effective <= day]
            per_day.append(applying[-1] if applying else None)
        if academy_id is None:
            country_targets[(country, prong)] = per_day
        else:
            academy_targets[(academy_id, prong)] = per_day
    return academy_targets, country_targets


# --- the figures ---------------------------------------------------------------------------------


@dataclass
class _Layout:
    """How a query groups its rows."""

    periods: list[tuple[str | None, date]]
    by_academy: bool
    by_country: bool
    by_prong: bool
    time_dim: str | None
    #: The person dimensions grouped (`PERSON_DIMENSIONS`); their values come grouped from the facts already.
    people: tuple[str, ...] = ()

    @property
    def by_unit(self) -> bool:
        return UNIT in self.people

    def key(self, country, academy_slug, person: tuple, prong, label) -> tuple:
        """(country, academy, (unit, stage, sex), prong, period label), None where not grouped."""
        return (country if self.by_country else None, academy_slug if self.by_academy else None,
                person, prong if self.by_prong else None, label)


def _new_cell(day: date) -> dict:
    return {**dict.fromkeys(MEASURES, 0), "overdue": 0, "academy_targets": [], "places": set(),
            "as_of": day, "keys": dict.fromkeys((*MEASURES, "overdue"), 0)}


def _academy_cells(layout: _Layout, facts: dict, academy_targets: dict, overdue: dict, q: Query) -> dict[tuple, dict]:
    """Cells summed from each academy's (or each unit's) figures, and the academy's own targets."""
    academies = {a.id: a for a in db.session.scalars(sa.select(Academy))}
    days = [d for _, d in layout.periods]
    cells: dict[tuple, dict] = {}
    nobody = (None,) * len(PERSON_DIMENSIONS)
    target_keys = {(a, p, *nobody) for a, p in academy_targets}
    for academy_id, prong, *person in set(facts) | target_keys | set(overdue):
        person = tuple(person)
        academy = academies.get(academy_id)
        if academy is None or (q.prong and prong != q.prong):
            continue
        for index, (label, day) in enumerate(layout.periods):
            key = layout.key(academy.country_code, academy.slug, person, prong, label)
            cell = cells.setdefault(key, _new_cell(day))
            figures = facts.get((academy_id, prong, *person), [(0,) * (2 * len(MEASURES))] * len(days))[index]
            for position, measure in enumerate(MEASURES):
                cell[measure] += figures[position]
                cell["keys"][measure] += figures[position + len(MEASURES)]
            late, late_keys = overdue.get((academy_id, prong, *person), (0, 0))
            cell["overdue"] += late
            cell["keys"]["overdue"] += late_keys
            cell["places"].add((academy.country_code, prong))
            target = (academy_targets.get((academy_id, prong), [None] * len(days))[index] if person == nobody
                      else None)
            if target is not None:
                cell["academy_targets"].append(target)
    return cells


def _add_country_target_cells(cells: dict, layout: _Layout, country_targets: dict, q: Query) -> None:
    """Country-wide targets with no academy data still make a row (coverage 0 of a known target)."""
    for (country, prong), per_day in country_targets.items():
        if q.prong and prong != q.prong:
            continue
        for index, (label, day) in enumerate(layout.periods):
            if per_day[index] is not None:
                key = layout.key(country, None, (None,) * len(PERSON_DIMENSIONS), prong, label)
                cells.setdefault(key, _new_cell(day))["places"].add((country, prong))


def _rows(cells: dict, layout: _Layout, country_targets: dict, academy_level: bool, with_overdue: bool) -> list[dict]:
    rows = []
    for (country, academy_slug, (unit, stage, sex), prong, label), cell in cells.items():
        index = next(i for i, (lab, _d) in enumerate(layout.periods) if lab == label)
        target = _target_for(cell, country_targets, index, academy_level)
        target, target_from = target
        row = {
            "country": country, "academy": academy_slug, "prong": prong,
            "target": target, "target_from": target_from.isoformat() if target_from else None, "target_note": None,
            "trained": cell["trained"], "in_progress": cell["in_progress"],
            "enrolled": cell["enrolled"], "trained_lost": cell["trained_lost"], "lapsed": cell["lapsed"],
            **{measure: cell[measure] for measure in DELIVERY_MEASURES},
            "coverage": _ratio(cell["trained"], target), "suppressed": False,
            "_keys": cell["keys"],
        }
        if layout.by_unit:
            row["unit"] = unit
        if "stage" in layout.people:
            row["stage"] = stage
        if "sex" in layout.people:
            row["sex"] = sex
        if with_overdue:
            row["overdue"] = cell["overdue"]
        if layout.time_dim:
            row["period"] = label
            row["period_end"] = cell["as_of"].isoformat()
        rows.append(row)
    rows.sort(key=lambda r: (r.get("period_end") or "", r["country"] or "", r["academy"] or "", r.get("unit") or "",
                             r["prong"] or "", r.get("stage") or "", r.get("sex") or ""))
    return rows


def tabulate(q: Query, scope: Scope) -> dict:
    """The true coverage table for a query, before protection: each row and the total carry `_keys`, the sums of
    the record keys of the people each count counts. Never shown as such: `compute` publishes it."""
    time_dim = next((g for g in q.group_by if g in TIME_DIMENSIONS), None)
    if time_dim and q.overdue_on:
        raise ValueError("Overdue figures are for one day, not for a time series.")
    periods = period_ends(q.as_of, time_dim) if time_dim else [(None, q.as_of)]
    people = tuple(d for d in PERSON_DIMENSIONS if d in q.group_by)
    by_academy = "academy" in q.group_by or UNIT in people
    layout = _Layout(periods, by_academy, by_academy or "country" in q.group_by, "prong" in q.group_by, time_dim,
                     people)
    days = [d for _, d in periods]
    facts = _facts(days, scope, q, people)
    academy_targets, country_targets = _targets(days, scope, q)
    if people or q.unit is not None:  # targets are set for academies and countries, not for units, stages or sexes
        academy_targets, country_targets = {}, {}
    overdue = _overdue(q, scope, people) if q.overdue_on else {}
    one_academy = scope.academy_id is not None or bool(q.academy)
    cells = _academy_cells(layout, facts, academy_targets, overdue, q)
    if not by_academy and not one_academy:
        _add_country_target_cells(cells, layout, country_targets, q)
    rows = _rows(cells, layout, country_targets, by_academy or one_academy, q.overdue_on is not None)
    last_label = periods[-1][0]
    latest = [r for r in rows if r.get("period") == last_label] if time_dim else rows
    totals = _totals(latest, q.overdue_on is not None)
    return {"as_of": q.as_of.isoformat(), "filters": q.filters, "group_by": list(q.group_by),
            "rows": rows, "totals": totals}


def compute(q: Query, scope: Scope, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """The coverage table for a query, as the API, the dashboard, the drill-down and the exports show it: the
    true table (`tabulate`) under the cell-key method's protection."""
    result = tabulate(q, scope)
    _protect([*result["rows"], result["totals"]], threshold, q.as_of)
    return {**result, "threshold": threshold}


def _target_for(cell: dict, country_targets: dict, index: int, academy_level: bool) -> tuple[int | None, date | None]:
    """(target, the day the oldest figure in it applies from)."""
    if not academy_level:
        # A country-wide figure, where one exists for every place in the cell, wins over the academies' sum.
        figures = [country_targets.get(place, [None] * (index + 1))[index] for place in cell["places"]]
        if figures and all(f is not None for f in figures):
            return sum(t for t, _ in figures), min(e for _, e in figures)
    if not cell["academy_targets"]:
        return None, None
    return sum(t for t, _ in cell["academy_targets"]), min(e for _, e in cell["academy_targets"])


#: A target figure older than this on the date asked is flagged: staff may have changed since it was set.
STALE_TARGET_DAYS = 365


def target_note(trained: int | None, target: int | None, target_from: str | None, as_of: date) -> str | None:
    """Why a coverage figure needs explaining, if it does: `above_target` where more are trained than the target
    (a target older than the headcount, or too low), else `stale_target` where the target is over a year old on
    the date. Read from the published trained count."""
    if target is None or target_from is None:
        return None
    if trained is not None and trained > target:
        return "above_target"
    if (as_of - date.fromisoformat(target_from)).days > STALE_TARGET_DAYS:
        return "stale_target"
    return None


def _ratio(trained: int | None, target: int | None) -> float | None:
    if trained is None or not target:
        return None
    return round(trained / target, 4)


def _totals(rows: list[dict], with_overdue: bool = False) -> dict:
    """The response's total: a cell of its own (the people of every row), protected like a row."""
    totals = {"target": None, **dict.fromkeys(MEASURES, 0)}
    targets = [r["target"] for r in rows if r["target"] is not None]
    totals["target"] = sum(targets) if targets else None
    froms = [r["target_from"] for r in rows if r["target"] is not None and r["target_from"]]
    totals["target_from"], totals["target_note"] = (min(froms) if froms else None), None
    names = MEASURES + (("overdue",) if with_overdue else ())
    for name in names:
        totals[name] = sum(r[name] for r in rows)
    totals["coverage"] = _ratio(totals["trained"], totals["target"])
    totals["suppressed"] = False
    totals["_keys"] = {name: sum(r["_keys"][name] for r in rows) for name in names}
    return totals


def _protect(rows: list[dict], threshold: int, as_of: date) -> None:
    """The cell-key method (app/foundation/disclosure.py) on every row and total: each count perturbed by its own
    people's keys; coverage from the published trained count; a row whose published enrolled count is 1 to
    threshold - 1 withheld as a whole. Overdue counts (a row's sub-count) are perturbed the same way. Each row's
    coverage is then explained where it needs it (`target_note`)."""
    for row in rows:
        keys = row.pop("_keys")
        for name in (*MEASURES, "overdue"):
            if name in row:
                row[name] = disclosure.perturb(row[name], keys[name])
        if disclosure.withheld(row["enrolled"], threshold):
            _withhold(row)
        else:
            row["coverage"] = _ratio(row["trained"], row["target"])
        day = date.fromisoformat(row["period_end"]) if row.get("period_end") else as_of
        row["target_note"] = target_note(row["trained"], row["target"], row["target_from"], day)


def _withhold(row: dict) -> None:
    row.update({**dict.fromkeys(MEASURES), "coverage": None, "suppressed": True})
    if "overdue" in row:
        row["overdue"] = None


# --- targets -------------------------------------------------------------------------------------


def set_target(actor: User, *, country: str, academy: Academy | None, prong: str, target: int,
               effective_from: date) -> TargetPopulation:
    """Record a target figure from a date (history is kept; the same date replaces the figure)."""
    if prong not in PRONGS:
        raise CoverageError("prong", f"Unknown prong '{prong}'.")
    if target < 0:
        raise CoverageError("target", "The target cannot be negative.")
    row = db.session.scalar(sa.select(TargetPopulation).filter_by(
        country_code=country, academy_id=academy.id if academy else None, prong=prong, effective_from=effective_from))
    if row is None:
        row = TargetPopulation(country_code=country, academy_id=academy.id if academy else None, prong=prong,
                               effective_from=effective_from)
        db.session.add(row)
    row.target = target
    row.created_by_id = actor.id
    db.session.flush()
    where = academy.name if academy else country
    audit(actor, academy, "target.set", row, f"Target for {prong} at {where}: {target} from {effective_from.isoformat()}.")
    return row


def academies() -> list[Academy]:
    """Every academy, for naming the rows of figures (which carry slugs)."""
    return list(db.session.scalars(sa.select(Academy).order_by(Academy.name)))


def country_codes() -> list[str]:
    """The codes of the countries the platform holds (the accepted values of `country`)."""
    return list(db.session.scalars(sa.select(Country.code).order_by(Country.code)))


def countries() -> list[Country]:
    return list(db.session.scalars(sa.select(Country).order_by(Country.name)))


def target_places(user: User) -> tuple[list[Country], list[Academy]]:
    """The countries (whole-country figures) and academies this user may set targets for."""
    if user.role == Role.ACADEMY_ADMIN:
        return [], [user.academy]
    academies = sa.select(Academy).order_by(Academy.name)
    country_rows = sa.select(Country).order_by(Country.name)
    if user.role == Role.COORDINATOR:
        academies = academies.filter_by(country_code=user.country_code)
        country_rows = country_rows.filter_by(code=user.country_code)
    return list(db.session.scalars(country_rows)), list(db.session.scalars(academies))


def target_history(scope: Scope) -> list[TargetPopulation]:
    query = sa.select(TargetPopulation).order_by(TargetPopulation.country_code, TargetPopulation.academy_id,
                                                 TargetPopulation.prong, TargetPopulation.effective_from.desc())
    if scope.countries is not None:
        query = query.filter(TargetPopulation.country_code.in_(sorted(scope.countries)))
    if scope.academy_id is not None:
        query = query.filter(TargetPopulation.academy_id == scope.academy_id)
    return list(db.session.scalars(query))


def knowledge_gain(q: Query, scope: Scope, threshold: int = DEFAULT_THRESHOLD) -> list[dict]:
    """Per prong: mean post-test score minus mean pre-test score, over trainees who took both by D.

    Protected like every figure (app/foundation/disclosure.py): the number of people is perturbed by their
    record keys and the group withheld when that is 1 to threshold - 1; each mean is moved by up to ±2 points
    read from the same cell key, so that two groups differing by one person do not give that person's scores.
    """
    end = _end_of(q.as_of)
    tests = (sa.select(QuizAttempt.user_id, QuizAttempt.course_id, QuizAttempt.kind, QuizAttempt.score_percent)
             .where(QuizAttempt.kind.in_(("pre_test", "post_test")), QuizAttempt.submitted_at.is_not(None),
                    QuizAttempt.submitted_at < end).subquery())
    pre, post = tests.alias("pre"), tests.alias("post")
    query = (
        sa.select(Course.prong, sa.func.count(), sa.func.avg(pre.c.score_percent), sa.func.avg(post.c.score_percent),
                  sa.func.sum(User.record_key))
        .select_from(pre)
        .join(post, sa.and_(post.c.user_id == pre.c.user_id, post.c.course_id == pre.c.course_id,
                            post.c.kind == "post_test"))
        .join(Course, Course.id == pre.c.course_id)
        .join(User, User.id == pre.c.user_id)
        .where(pre.c.kind == "pre_test")
        .group_by(Course.prong).order_by(Course.prong)
    )
    query = _restrict(query, User.academy_id, User.country_code, Course.prong, scope, q)
    rows = []
    for prong, people, mean_pre, mean_post, keys in db.session.execute(query):
        published = disclosure.perturb(people, keys or 0)
        shown = published >= threshold
        pre_shown = disclosure.perturb_mean(float(mean_pre), keys or 0, low=0.0, high=100.0)
        post_shown = disclosure.perturb_mean(float(mean_post), (keys or 0) + 1, low=0.0, high=100.0)
        rows.append({
            "prong": prong, "people": published if shown else None, "suppressed": not shown,
            "pre": round(pre_shown, 1) if shown else None,
            "post": round(post_shown, 1) if shown else None,
            "gain": round(post_shown - pre_shown, 1) if shown else None,
        })
    return rows
