"""Coverage arithmetic on hand-built data (targets over time, suspension, course versions: the true table,
`services.tabulate`), and its publication under the cell-key method (`services.compute`)."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.coverage import services
from app.coverage.models import TargetPopulation
from app.curriculum.models import Module, ModuleVersion
from app.extensions import db
from app.foundation import disclosure
from tests.factories import people


def academy(slug, country="AL"):
    row = Academy(slug=slug, name=f"Academy {slug}", country_code=country)
    db.session.add(row)
    db.session.flush()
    return row


def target(acad, value, since, prong="police", country=None):
    db.session.add(TargetPopulation(country_code=country or acad.country_code, academy_id=acad.id if acad else None,
                                    prong=prong, target=value, effective_from=since))
    db.session.flush()


def query(as_of, group_by=("academy", "prong"), **filters):
    return services.Query(as_of, filters.get("country"), filters.get("academy"), filters.get("prong"), group_by, {})


def figures(as_of, group_by=("academy", "prong"), scope=None, **filters):
    """The true figures: the counting rules, before protection."""
    return services.tabulate(query(as_of, group_by, **filters), scope or services.Scope())


def published(as_of, group_by=("academy", "prong"), scope=None, threshold=5, **filters):
    """The figures as every page, export and the API give them."""
    return services.compute(query(as_of, group_by, **filters), scope or services.Scope(), threshold)


def expected(count, users):
    """A count as the cell-key method publishes it, computed here from the people it counts."""
    return disclosure.perturb(count, sum(u.record_key for u in users))


def row_for(result, **keys):
    return next(r for r in result["rows"] if all(r.get(k) == v for k, v in keys.items()))


@pytest.fixture
def data(ctx):
    yield
    db.session.rollback()


def test_trained_in_progress_enrolled_and_coverage(data):
    a = academy("a")
    people(a, 4, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1), tag="done")
    people(a, 3, started=datetime(2026, 2, 1), tag="busy")
    people(a, 3, tag="idle")
    target(a, 20, date(2026, 1, 1))
    row = row_for(figures(date(2026, 6, 30)), academy="a", prong="police")
    assert (row["target"], row["trained"], row["in_progress"], row["enrolled"], row["coverage"]) == (20, 4, 3, 10, 0.2)
    assert row["country"] == "AL" and row["suppressed"] is False


def test_figures_on_a_past_date(data):
    a = academy("a")
    people(a, 5, started=datetime(2026, 2, 1), completed=datetime(2026, 5, 1), tag="done")
    people(a, 5, created=datetime(2026, 4, 1), tag="late")
    row = row_for(figures(date(2026, 3, 31)), academy="a")
    assert (row["trained"], row["in_progress"], row["enrolled"]) == (0, 5, 5)  # not yet completed; late not yet joined
    row = row_for(figures(date(2026, 5, 1)), academy="a")
    assert (row["trained"], row["in_progress"], row["enrolled"]) == (5, 0, 10)  # as_of includes the whole day


def test_target_changes_over_time_keep_history(data):
    a = academy("a")
    people(a, 10, started=datetime(2026, 2, 1), completed=datetime(2026, 2, 15))
    target(a, 20, date(2026, 1, 1))
    target(a, 40, date(2026, 7, 1))
    assert row_for(figures(date(2026, 6, 30)), academy="a")["target"] == 20
    assert row_for(figures(date(2026, 7, 1)), academy="a")["coverage"] == 0.25
    assert row_for(figures(date(2025, 12, 31)), academy="a")["target"] is None


def test_country_wide_target_wins_over_the_sum_of_academies(data):
    a, b = academy("a"), academy("b")
    people(a, 6, started=datetime(2026, 2, 1), completed=datetime(2026, 2, 2), tag="a")
    people(b, 6, started=datetime(2026, 2, 1), completed=datetime(2026, 2, 2), tag="b")
    target(a, 10, date(2026, 1, 1))
    target(b, 10, date(2026, 1, 1))
    by_country = figures(date(2026, 6, 1), group_by=("country", "prong"))
    assert row_for(by_country, country="AL")["target"] == 20
    target(None, 100, date(2026, 3, 1), country="AL")
    by_country = figures(date(2026, 6, 1), group_by=("country", "prong"))
    assert row_for(by_country, country="AL")["target"] == 100
    assert row_for(by_country, country="AL")["coverage"] == 0.12
    assert row_for(figures(date(2026, 2, 28), group_by=("country", "prong")), country="AL")["target"] == 20


def test_suspended_trainees_are_not_trained_but_trained_staff_lost(data):
    a = academy("a")
    people(a, 5, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1))
    people(a, 2, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1), suspended=datetime(2026, 4, 1), tag="s1")
    people(a, 3, started=datetime(2026, 2, 1), suspended=datetime(2026, 4, 1), tag="s2")
    row = row_for(figures(date(2026, 6, 1)), academy="a")
    assert (row["trained"], row["in_progress"], row["enrolled"], row["trained_lost"]) == (5, 0, 5, 2)
    before = row_for(figures(date(2026, 3, 15)), academy="a")
    assert (before["trained"], before["in_progress"], before["enrolled"], before["trained_lost"]) == (7, 3, 10, 0)


def test_a_new_module_version_does_not_change_who_is_trained(data):
    a = academy("a")
    people(a, 6, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1))
    before = row_for(figures(date(2026, 6, 1)), academy="a")["trained"]
    module = db.session.scalar(sa.select(Module).filter_by(slug="police-01-basics"))
    old = db.session.get(ModuleVersion, module.current_version_id)
    new = ModuleVersion(module_id=module.id, number=old.number + 1, label="2", title=old.title,
                        estimated_minutes=old.estimated_minutes, objectives=old.objectives, sources=old.sources,
                        section_count=old.section_count, content_hash="f" * 64)
    db.session.add(new)
    db.session.flush()
    module.current_version_id = new.id
    db.session.flush()
    assert row_for(figures(date(2026, 6, 1)), academy="a")["trained"] == before == 6


def test_every_count_is_published_perturbed_by_the_keys_of_its_people(data):
    a, b = academy("a"), academy("b", "RS")
    done = people(a, 12, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1), tag="a")
    busy = people(a, 7, started=datetime(2026, 2, 1), tag="busy")
    rs = people(b, 9, tag="b")
    target(a, 40, date(2026, 1, 1))
    row = row_for(published(date(2026, 6, 1)), academy="a")
    assert row["trained"] == expected(12, done)
    assert row["in_progress"] == expected(7, busy)
    assert row["enrolled"] == expected(19, done + busy)
    assert row["coverage"] == round(row["trained"] / 40, 4)
    # The total is a cell of its own: everyone's keys.
    totals = published(date(2026, 6, 1))["totals"]
    assert totals["enrolled"] == expected(28, done + busy + rs)
    # The same people give the same figure however the question is asked.
    by_country = published(date(2026, 6, 1), group_by=("country",), country="AL")
    assert row_for(by_country, country="AL")["enrolled"] == row["enrolled"]
    assert published(date(2026, 6, 1), group_by=("prong",), academy="a")["totals"]["enrolled"] == row["enrolled"]
    # Every perturbation is within the table's bound, and the true table is untouched by it.
    for true, shown in ((12, row["trained"]), (7, row["in_progress"]), (19, row["enrolled"])):
        assert abs(shown - true) <= disclosure.MAX_NOISE
    assert row_for(figures(date(2026, 6, 1)), academy="a")["enrolled"] == 19


def test_small_groups_are_withheld_by_their_published_size(data):
    a, b = academy("a"), academy("b", "RS")
    people(a, 10, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1), tag="a")
    small = people(b, 3, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1), tag="b")
    for index, user in enumerate(small):  # keys summing to the middle of the key space: no perturbation
        user.record_key = disclosure.KEY_SPACE // 2 if index == 0 else 0
    db.session.flush()
    assert expected(3, small) == 3
    result = published(date(2026, 6, 1), group_by=("country", "prong"))
    rs = row_for(result, country="RS")
    assert rs["suppressed"] is True and rs["trained"] is None and rs["enrolled"] is None and rs["coverage"] is None
    # No complementary suppression is needed: the total is perturbed on its own.
    assert row_for(result, country="AL")["suppressed"] is False


def test_perturbation_table_is_unbiased_bounded_and_keeps_zero():
    assert disclosure.key_bounds_ok()
    for value in range(0, 12):
        shown = {disclosure.perturb(value, key) for key in range(0, disclosure.KEY_SPACE, disclosure.KEY_SPACE // 997)}
        assert all(v >= 0 and abs(v - value) <= disclosure.MAX_NOISE for v in shown)
        assert shown == ({0} if value == 0 else set(range(max(0, value - 2) if value != 1 else 0, value + 3)))
    # Mean zero over the keys: no count is pushed up or down on average.
    keys = range(0, disclosure.KEY_SPACE, disclosure.KEY_SPACE // 100_000)
    assert abs(sum(disclosure.noise(7, k) for k in keys) / len(keys)) < 0.01


def test_threshold_is_configurable_and_zero_is_not_small(data):
    a = academy("a")
    few = people(a, 3, tag="a")
    shown = expected(3, few)
    row = row_for(published(date(2026, 6, 1), threshold=1), academy="a")
    assert row["enrolled"] == shown and row["suppressed"] is False
    target(academy("empty"), 50, date(2026, 1, 1))
    empty = row_for(published(date(2026, 6, 1), threshold=3), academy="empty")
    assert (empty["enrolled"], empty["target"], empty["coverage"], empty["suppressed"]) == (0, 50, 0.0, False)


def test_time_series_by_quarter(data):
    a = academy("a")
    people(a, 6, started=datetime(2026, 1, 15), completed=datetime(2026, 2, 15), tag="q1")
    people(a, 6, started=datetime(2026, 4, 15), completed=datetime(2026, 5, 15), tag="q2")
    result = figures(date(2026, 6, 30), group_by=("prong", "quarter"))
    by_period = {r["period"]: r for r in result["rows"]}
    assert by_period["2026-Q1"]["trained"] == 6 and by_period["2026-Q1"]["period_end"] == "2026-03-31"
    assert by_period["2026-Q2"]["trained"] == 12
    assert len(result["rows"]) == 8
    months = figures(date(2026, 6, 15), group_by=("month",))
    assert [r["period"] for r in months["rows"]][-2:] == ["2026-05", "2026-06"]
    assert months["rows"][-1]["period_end"] == "2026-06-15"


def test_scope_limits_a_coordinator_to_their_country(data):
    a, b = academy("a"), academy("b", "RS")
    people(a, 6, tag="a")
    people(b, 6, tag="b")
    result = figures(date(2026, 6, 1), group_by=("country",), scope=services.Scope(countries={"AL"}))
    assert [r["country"] for r in result["rows"]] == ["AL"]
    with pytest.raises(PermissionError):
        services.parse_query({"country": "RS"}, services.Scope(countries={"AL"}), date(2026, 6, 1))


@pytest.mark.parametrize("args, parameter", [
    ({"country": "ZZ"}, "country"), ({"as_of": "2026-13-01"}, "as_of"), ({"group_by": "region"}, "group_by"),
    ({"prong": "firefighters"}, "prong"), ({"academy": "nowhere"}, "academy"), ({"group_by": "month,quarter"}, "group_by"),
])
def test_bad_parameters_name_the_parameter(ctx, args, parameter):
    with pytest.raises(services.CoverageError) as error:
        services.parse_query(args, services.Scope(), date(2026, 6, 1))
    assert error.value.parameter == parameter
