"""The coordinator's drill-down (region → country → academy → unit) and the exports of every coverage table:
figures equal to ones counted here independently, small cells withheld on every level and in every export,
scope enforced, names (not codes or slugs) in the viewer's language, every country listed."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.academy.models import Academy
from app.auth.models import User
from app.coverage import drill, services
from app.curriculum.models import Course
from app.enrolment import services as enrolment
from app.extensions import db
from app.foundation import disclosure
from app.learning.models import CourseProgress
from app.utils import utcnow
from tests.conftest import login
from tests.factories import create_test_user, get_academy, people

AS_OF = "2026-06-30"
DONE = dict(started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1))


# --- reading a page's table ----------------------------------------------------------------------


class _TableReader(HTMLParser):
    """The header, cell texts and links of the table with a given id."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.depth = table_id, False, 0
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.links: list[list[str | None]] = []
        self._cell: list[str] | None = None
        self._href: str | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
            self.links.append([])
        elif tag in ("td", "th"):
            self._cell, self._href = [], None
        elif tag == "a" and self._cell is not None:
            self._href = attrs.get("href")

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._in_head:
                self.header.append(text)
            else:
                self.rows[-1].append(text)
                self.links[-1].append(self._href)
            self._cell = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self._cell is not None:
            self._cell.append(data)


def read_table(html: str, table_id: str = "level") -> _TableReader:
    reader = _TableReader(table_id)
    reader.feed(html)
    assert reader.header, f"no table #{table_id} in the page"
    return reader


def rows_by(table: _TableReader, *names: str) -> dict[tuple, dict[str, str]]:
    """Rows keyed by their naming cells, each a {header: text} mapping."""
    width = len(names)
    return {tuple(r[:width]): dict(zip(table.header, r, strict=False)) for r in table.rows}


# --- data -----------------------------------------------------------------------------------------


def _unit(users, name):
    for user in users:
        user.unit = name
    return users


def _unperturbed(users):
    """Record keys that sum to the middle of the key space: the group's own count is published unperturbed."""
    for index, user in enumerate(users):
        user.record_key = disclosure.KEY_SPACE // 2 if index == 0 else 0


@pytest.fixture
def region(app):
    """Albania: a big academy with three units (one of them small) and a second academy; Serbia: one academy
    of three trainees (small); Kosovo: no trainees at all. Targets for the big academy and Albania."""
    with app.app_context():
        big, second = get_academy("AL", "big-academy"), get_academy("AL", "second-academy")
        big.name, second.name = "Tirana Police Academy", "Durrës Police Academy"
        serbia = get_academy("RS", "belgrade-academy")
        serbia.name = "Belgrade Police Academy"
        _unit(people(big, 8, tag="tirana", **DONE), "Tirana station")
        _unit(people(big, 6, tag="tirana-new", started=datetime(2026, 4, 1)), "Tirana station")
        _unit(people(big, 9, tag="vlore", **DONE), "Vlorë station")
        _unperturbed(_unit(people(big, 2, tag="kukes", **DONE), "Kukës station"))  # small: withheld
        people(big, 5, tag="nounit")
        people(second, 7, tag="durres", **DONE)
        people(second, 8, tag="durres-investigators", prong="investigators")  # 8 ± 2 stays shown
        _unperturbed(people(serbia, 3, tag="belgrade", **DONE))  # small: withheld
        services.set_target(db.session.get(User, create_test_user(email="target.setter@example.org",
                                                                  role="platform_admin")["id"]),
                            country="AL", academy=big, prong="police", target=60, effective_from=date(2026, 1, 1))
        db.session.commit()
        return {"big": big.slug, "second": second.slug, "serbia": serbia.slug}


def _client_as(app, role, country="AL", language="en", email=None, academy=None):
    client = app.test_client()
    with app.app_context():
        user = create_test_user(email=email or f"{role}.{country.lower()}.{language}@example.org", role=role,
                                country=country, language=language, academy=academy)
    assert login(client, user["email"]).status_code == 302
    return client


def _independent(slug: str, unit: str | None = None, prong: str = "police", published: bool = True) -> dict[str, int]:
    """Trained, in progress and enrolled counted here from the rows, not through `compute` (a prong without a
    course in the fixture curriculum has trainees enrolled, none trained), and published as the cell-key method
    publishes them (each count perturbed by the sum of its people's record keys), or the true counts."""
    academy = db.session.scalar(sa.select(Academy).filter_by(slug=slug))
    course = db.session.scalar(sa.select(Course).filter_by(prong=prong))
    end = datetime(2026, 7, 1)
    groups: dict[str, list[User]] = {"Trained": [], "In progress": [], "Enrolled": []}
    for user in db.session.scalars(sa.select(User).filter_by(academy_id=academy.id, role="trainee", category=prong)):
        if unit is not None and (user.unit or "") != unit:
            continue
        progress = course and db.session.scalar(sa.select(CourseProgress).filter_by(user_id=user.id,
                                                                                   course_id=course.id))
        active = user.suspended_at is None or user.suspended_at >= end
        if active:
            groups["Enrolled"].append(user)
        if progress and progress.completed_at and progress.completed_at < end:
            groups["Trained"].append(user)
        elif progress and progress.started_at < end and active:
            groups["In progress"].append(user)
    if not published:
        return {name: len(members) for name, members in groups.items()}
    return {name: disclosure.perturb(len(members), sum(u.record_key for u in members))
            for name, members in groups.items()}


# --- figures ------------------------------------------------------------------------------------------


def test_each_level_shows_figures_equal_to_ones_counted_independently(app, region):
    with app.app_context():  # Serbia big enough to be shown, so Albania's rows need no protection of Serbia's
        people(db.session.scalar(sa.select(Academy).filter_by(slug=region["serbia"])), 3, tag="more", **DONE)
        db.session.commit()
    regional = _client_as(app, "regional_coordinator", country="RS")
    page = regional.get(f"/coverage/academies/{region['big']}?as_of={AS_OF}")
    assert page.status_code == 200
    units = rows_by(read_table(page.text), "Unit", "Prong")
    with app.app_context():
        for unit in ("Tirana station", "Vlorë station"):
            expected = _independent(region["big"], unit)
            shown = units[(unit, "Police")]
            assert {k: int(shown[k]) for k in expected} == expected, unit
        assert _independent(region["big"], "Tirana station", published=False) == \
            {"Trained": 8, "In progress": 6, "Enrolled": 14}
    # Units have no target population: no coverage, but the academy's own target is on the country level.
    assert units[("Tirana station", "Police")]["Target"] == "—"
    country = rows_by(read_table(regional.get(f"/coverage/countries/AL?as_of={AS_OF}").text), "Academy", "Prong")
    with app.app_context():
        assert {k: int(country[("Tirana Police Academy", "Police")][k]) for k in ("Trained", "In progress", "Enrolled")} \
            == _independent(region["big"])
        assert _independent(region["big"], published=False) == {"Trained": 19, "In progress": 6, "Enrolled": 30}
        assert {k: int(country[("Durrës Police Academy", "Investigators")][k])
                for k in ("Trained", "In progress", "Enrolled")} == _independent(region["second"], prong="investigators")
        trained = _independent(region["big"])["Trained"]
    big = country[("Tirana Police Academy", "Police")]
    assert (big["Target"], big["Coverage (%)"]) == ("60", f"{100 * trained / 60:.1f}%")  # the published trained of 60
    # The unit page: the unit's own figures, the same as its row one level up.
    unit_page = regional.get(f"/coverage/academies/{region['big']}/unit?unit=Vlorë station&as_of={AS_OF}")
    only = rows_by(read_table(unit_page.text), "Prong")[("Police",)]
    assert {k: only[k] for k in ("Trained", "Enrolled")} == {k: units[("Vlorë station", "Police")][k]
                                                              for k in ("Trained", "Enrolled")}


def test_each_figure_links_one_level_down_and_the_crumbs_lead_back(app, region):
    regional = _client_as(app, "regional_coordinator", country="RS")
    table = read_table(regional.get("/coverage/region").text)
    albania = next(i for i, r in enumerate(table.rows) if r[0] == "Albania" and r[1] == "Investigators")
    assert set(filter(None, table.links[albania])) == {"/coverage/countries/AL"}
    page = regional.get("/coverage/countries/AL").text
    assert '<a href="/coverage/region">All countries</a>' in page and 'aria-current="page">Albania<' in page
    table = read_table(page)
    row = table.rows.index(next(r for r in table.rows if r[0] == "Durrës Police Academy" and r[1] == "Police"))
    assert f"/coverage/academies/{region['second']}" in table.links[row]
    unit_links = {link for links in read_table(regional.get(f"/coverage/academies/{region['big']}").text).links
                  for link in links if link}
    assert f"/coverage/academies/{region['big']}/unit?unit=Tirana+station" in unit_links
    assert f"/coverage/academies/{region['big']}/unit?unit=" in unit_links  # trainees with no unit recorded


def test_compute_groups_by_unit_and_counts_overdue_by_the_one_rule(app, region):
    with app.app_context():
        academy = db.session.scalar(sa.select(Academy).filter_by(slug=region["second"]))
        course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
        for user in db.session.scalars(sa.select(User).filter_by(academy_id=academy.id)):
            user.created_at = utcnow() - timedelta(days=60)
        enrolment.set_mandatory(None, academy, course, "police", 30)
        db.session.flush()
        q = services.Query(date(2026, 6, 30), "AL", None, None, ("academy", "prong"), {}, overdue_on=utcnow().date())
        rows = services.compute(q, services.Scope())["rows"]
        second = next(r for r in rows if r["academy"] == region["second"] and r["prong"] == "police")
        # The seven police trainees completed in March, so none is overdue (0 is published as 0).
        assert second["overdue"] == 0
        db.session.execute(sa.delete(CourseProgress).where(CourseProgress.user_id.in_(
            sa.select(User.id).filter_by(academy_id=academy.id))))
        true = next(r for r in services.tabulate(q, services.Scope())["rows"]
                    if r["academy"] == region["second"] and r["prong"] == "police")
        assert true["overdue"] == 7
        late = list(db.session.scalars(sa.select(User).filter_by(academy_id=academy.id, category="police")))
        rows = services.compute(q, services.Scope())["rows"]
        second = next(r for r in rows if r["academy"] == region["second"] and r["prong"] == "police")
        assert second["overdue"] == disclosure.perturb(7, sum(u.record_key for u in late))
        units = services.compute(services.Query(date(2026, 6, 30), None, region["big"], None, ("unit", "prong"), {}),
                                 services.Scope())["rows"]
        assert {r["unit"] for r in units} == {"Tirana station", "Vlorë station", "Kukës station", ""}
        db.session.rollback()


# --- protection ---------------------------------------------------------------------------------------


def test_small_cells_are_withheld_on_every_level_and_in_every_export(app, region):
    regional = _client_as(app, "regional_coordinator", country="RS")
    top = rows_by(read_table(regional.get(f"/coverage/region?as_of={AS_OF}").text), "Country", "Prong")
    assert top[("Serbia", "Police")]["Enrolled"] == "withheld"  # three people
    # No complementary suppression: Albania's police row is shown, perturbed on its own, so the region's total
    # minus it gives Serbia's three plus the difference of two perturbations, not three.
    assert top[("Albania", "Police")]["Enrolled"].isdigit()
    units = rows_by(read_table(regional.get(f"/coverage/academies/{region['big']}?as_of={AS_OF}").text),
                    "Unit", "Prong")
    assert units[("Kukës station", "Police")]["Enrolled"] == "withheld"
    unit_page = regional.get(f"/coverage/academies/{region['big']}/unit?unit=Kukës station&as_of={AS_OF}")
    assert rows_by(read_table(unit_page.text), "Prong")[("Police",)]["Trained"] == "withheld"
    # Exports withhold the same cells.
    for url, names in ((f"/coverage/region/export.csv?as_of={AS_OF}", ("Serbia", "Police")),
                       (f"/coverage/academies/{region['big']}/export.csv?as_of={AS_OF}", ("Kukës station", "Police")),
                       (f"/coverage/academies/{region['big']}/unit/export.csv?unit=Kukës station&as_of={AS_OF}",
                        ("Police",))):
        rows = list(csv.DictReader(io.StringIO(regional.get(url).text.lstrip("\ufeff"))))
        row = next(r for r in rows if tuple(list(r.values())[:len(names)]) == names)
        assert row["Enrolled"] == row["Trained"] == "withheld", url
        assert "2" not in (row["Trained"], row["Enrolled"])
    for name in ("by_prong", "by_academy"):
        body = regional.get(f"/coverage/export/{name}.xlsx?as_of={AS_OF}").data
        sheet = load_workbook(io.BytesIO(body)).active
        values = [[c.value for c in r] for r in sheet.iter_rows()]
        serbia = next(r for r in values if "Serbia" in r)
        assert "withheld" in serbia and 3 not in serbia[2:], name


def test_the_dashboard_withholds_exactly_what_the_drill_down_withholds(app, region):
    regional = _client_as(app, "regional_coordinator", country="RS")
    dashboard = read_table(regional.get(f"/coverage/?as_of={AS_OF}").text, "by-academy")
    country = read_table(regional.get(f"/coverage/countries/AL?as_of={AS_OF}").text)
    on_dashboard = {tuple(r[1:3]): r[3:] for r in dashboard.rows if r[0] == "Albania"}
    on_country = {tuple(r[:2]): r[2:] for r in country.rows}
    assert on_dashboard == on_country
    assert any(cell.isdigit() for cells in on_country.values() for cell in cells)


def test_a_national_coordinator_opens_their_country_only(app, region):
    albania = _client_as(app, "coordinator", country="AL")
    assert albania.get("/coverage/drill").headers["Location"].endswith("/coverage/countries/AL")
    assert albania.get("/coverage/countries/AL").status_code == 200
    assert albania.get(f"/coverage/academies/{region['big']}/unit?unit=Tirana station").status_code == 200
    for url in ("/coverage/region", "/coverage/countries/RS", f"/coverage/academies/{region['serbia']}",
                f"/coverage/academies/{region['serbia']}/unit?unit=", "/coverage/region/export.csv",
                "/coverage/countries/RS/export.xlsx", f"/coverage/academies/{region['serbia']}/export.csv"):
        answer = albania.get(url)
        assert answer.status_code == 403, url
        assert "you may open the figures of Albania" in answer.text
    assert albania.get("/coverage/countries/ZZ").status_code == 404
    assert albania.get("/coverage/academies/no-such-academy").status_code == 404
    # The country's own table has no link up to the region.
    page = albania.get("/coverage/countries/AL").text
    assert 'href="/coverage/region"' not in page
    trainee = _client_as(app, "trainee", email="plain.trainee@example.org")
    assert trainee.get("/coverage/countries/AL").status_code == 403


def test_an_academy_administrator_drills_into_their_own_academy(app, region):
    admin = _client_as(app, "academy_admin", academy=region["big"], email="admin.big@example.org")
    assert admin.get("/coverage/drill").headers["Location"].endswith(f"/coverage/academies/{region['big']}")
    assert admin.get(f"/coverage/academies/{region['second']}").status_code == 403
    assert admin.get("/coverage/countries/AL").status_code == 403


# --- exports ------------------------------------------------------------------------------------------


def _as_text(value) -> str:
    """An export's cell as the page writes it (English)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}%"
    return str(value)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_parse_and_match_the_page(app, region, fmt):
    regional = _client_as(app, "regional_coordinator", country="RS")
    pages = [(f"/coverage/countries/AL?as_of={AS_OF}", f"/coverage/countries/AL/export.{fmt}?as_of={AS_OF}", "level"),
             (f"/coverage/academies/{region['big']}?as_of={AS_OF}",
              f"/coverage/academies/{region['big']}/export.{fmt}?as_of={AS_OF}", "level"),
             (f"/coverage/?as_of={AS_OF}", f"/coverage/export/by_academy.{fmt}?as_of={AS_OF}", "by-academy"),
             (f"/coverage/?as_of={AS_OF}", f"/coverage/export/trend.{fmt}?as_of={AS_OF}", "trend"),
             (f"/coverage/?as_of={AS_OF}", f"/coverage/export/overdue.{fmt}?as_of={AS_OF}", "overdue")]
    for page_url, export_url, table_id in pages:
        table = read_table(regional.get(page_url).text, table_id)
        answer = regional.get(export_url)
        assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
        if fmt == "csv":
            assert answer.mimetype == "text/csv"
            header, *rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
            rows = [[_as_text(float(v) if "." in v and v.replace(".", "").isdigit() else v) for v in r] for r in rows]
        else:
            sheet = load_workbook(io.BytesIO(answer.data)).active
            header, *rows = [[c.value for c in r] for r in sheet.iter_rows()]
            # A whole percentage (45.0) comes back from the workbook as the integer 45.
            percent = [h.startswith("Coverage") for h in header]
            rows = [[_as_text(float(v) if p and isinstance(v, int) else v) for v, p in zip(r, percent, strict=True)]
                    for r in rows]
        assert header == table.header, export_url
        page_rows = [[cell if cell else "—" for cell in r] for r in table.rows]
        assert rows == page_rows, export_url


def test_headers_and_names_in_the_viewers_language(app, region):
    albanian = _client_as(app, "regional_coordinator", country="RS", language="sq")
    page = albanian.get("/coverage/region").text
    assert "Shqipëri" in page and "Kosovë" in page and "Serbi" in page
    assert ">AL<" not in page and "AL · " not in page
    header, *rows = list(csv.reader(io.StringIO(albanian.get("/coverage/region/export.csv").text.lstrip("\ufeff"))))
    assert header[0] == "Vendi" and {r[0] for r in rows} == {"Shqipëri", "Kosovë", "Serbi"}
    serbian = _client_as(app, "coordinator", country="AL", language="sr")
    assert "Albanija" in serbian.get("/coverage/countries/AL").text
    assert "Albanija" in serbian.get("/coverage/").text
    sheet = load_workbook(io.BytesIO(serbian.get("/coverage/export/by_academy.xlsx").data)).active
    assert {r[0].value for r in list(sheet.iter_rows())[1:]} == {"Albanija"}


def test_every_country_is_listed_with_no_trainees_yet_where_that_is_so(app, region):
    regional = _client_as(app, "regional_coordinator", country="RS")
    for url, table_id in (("/coverage/region", "level"), ("/coverage/", "by-prong")):
        table = read_table(regional.get(url).text, table_id)
        assert {r[0] for r in table.rows} == {"Albania", "Kosovo", "Serbia"}, url
        kosovo = next(r for r in table.rows if r[0] == "Kosovo")
        assert kosovo[1] == "No trainees yet"
    # Academies without trainees are listed in their country too.
    with app.app_context():
        get_academy("AL", "empty-academy").name = "Shkodër Police Academy"
        db.session.commit()
    country = read_table(regional.get("/coverage/countries/AL").text)
    assert ["Shkodër Police Academy", "No trainees yet"] == country.rows[-1][:2] or \
        any(r[:2] == ["Shkodër Police Academy", "No trainees yet"] for r in country.rows)


def test_dashboard_names_academies_and_prongs_and_links_to_the_drill_down(app, region):
    coordinator = _client_as(app, "coordinator", country="AL")
    page = coordinator.get(f"/coverage/?as_of={AS_OF}").text
    assert "Figures on June 30, 2026: of the people who should be trained" in page
    assert "how many are: figures" not in page
    table = read_table(page, "by-academy")
    assert {r[1] for r in table.rows} == {"Tirana Police Academy", "Durrës Police Academy"}
    assert {r[2] for r in table.rows} <= {"Police", "Investigators", "Prosecutors and judges"}
    assert f">{region['big']}<" not in page and ">police<" not in page
    links = {link for row in table.links for link in row if link}
    assert f"/coverage/academies/{region['big']}?as_of={AS_OF}" in links
    assert "/academies/" + region["big"] + "/report" not in page  # the academy's own report is not for coordinators


def test_welcome_page_names_the_region_for_a_regional_coordinator(app):
    regional = _client_as(app, "regional_coordinator", country="RS")
    page = regional.get("/home").text
    assert "Serbia" not in page and "Region" in page and "/coverage/drill" in page
    national = _client_as(app, "coordinator", country="AL", language="sq")
    assert "Shqipëri" in national.get("/home").text


def test_the_same_people_give_the_same_figure_on_every_level(app, region):
    """The service on its own: Albania's police row at the region, the total of Albania's academies' police rows
    on the country level, and the API's country filter count the same people, so they publish the same figures
    (a figure that differed by level could be subtracted from another)."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email="target.setter@example.org"))
        top = drill.figures(user, drill.Place("region"), date(2026, 6, 30), date(2026, 6, 30), 5)
        albania = next(r for r in top["rows"] if r["country"] == "AL" and r["prong"] == "police")
        country = services.compute(services.Query(date(2026, 6, 30), "AL", None, "police", ("academy", "prong"), {}),
                                   services.Scope())
        by_prong = services.compute(services.Query(date(2026, 6, 30), "AL", None, None, ("prong",), {}),
                                    services.Scope(countries={"AL"}))
        police = next(r for r in by_prong["rows"] if r["prong"] == "police")
        for name in ("trained", "in_progress", "enrolled"):
            assert albania[name] == country["totals"][name] == police[name], name


def test_target_history_names_the_country_and_the_prong(app, region):
    coordinator = _client_as(app, "coordinator", country="AL", language="sr")
    history = coordinator.get("/coverage/targets").text.split("<tbody>", 1)[1]
    assert "<td>Albanija</td>" in history and "<td>AL</td>" not in history
    assert "<td>police</td>" not in history and "<td>Policija</td>" in history
