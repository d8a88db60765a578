"""The drill-down: region → country → academy → unit, each level the figures of `services.compute` grouped by
the level below, under the same small-number protection (the cell-key method, app/foundation/disclosure.py).

A figure withheld on one level (say Albania's police row on the region page) is the sum of the rows one level
down (Albania's academies' police rows). Each of those rows, and the parent row, is published with the
perturbation of its own people, so adding the rows below gives the parent's true figure plus up to ±2 per row:
never the withheld figure itself. A level is therefore computed on its own.

Names stay with the academy: no level lists people, only counts of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.academy.models import Academy
from app.auth.models import User
from app.curriculum.models import Country
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.roles import Role

from . import services

LEVELS = ("region", "country", "academy", "unit")
#: How each level groups its rows: by the level below, and by prong.
GROUP_BY = {"region": ("country", "prong"), "country": ("academy", "prong"), "academy": (services.UNIT, "prong"),
            "unit": ("prong",)}
CHILD = {"region": "country", "country": "academy", "academy": "unit", "unit": None}


class PlaceNotFound(ServiceError):
    status = 404


class PlaceRefused(ServiceError):
    status = 403


@dataclass(frozen=True)
class Place:
    """A level of the drill-down and where on it: the region, a country, an academy, or a unit of an academy."""

    level: str
    country: str | None = None
    academy: Academy | None = None
    #: A unit of the academy as trainees record it; "" for trainees with no unit recorded.
    unit: str | None = None

    @property
    def parent(self) -> Place | None:
        if self.level == "unit":
            return Place("academy", self.country, self.academy)
        if self.level == "academy":
            return Place("country", self.country)
        if self.level == "country":
            return Place("region")
        return None

    def trail(self) -> list[Place]:
        """This place and the ones above it, from the top."""
        places, place = [], self
        while place is not None:
            places.append(place)
            place = place.parent
        return list(reversed(places))


def root_for(user: User) -> Place:
    """The widest place a user may open: the region for regional coordinators and platform administrators,
    their country for a national coordinator, their academy for an academy administrator."""
    if user.role in (Role.REGIONAL_COORDINATOR, Role.PLATFORM_ADMIN):
        return Place("region")
    if user.role == Role.COORDINATOR:
        return Place("country", user.country_code)
    if user.role == Role.ACADEMY_ADMIN and user.academy is not None:
        return Place("academy", user.academy.country_code, user.academy)
    raise PlaceRefused(_l("Coverage figures are for coordinators and academy administrators."))


def may_open(user: User, place: Place) -> bool:
    """Whether `user` may open `place`: their root or anything below it."""
    try:
        root = root_for(user)
    except PlaceRefused:
        return False
    if root.level == "region":
        return True
    if root.level == "country":
        return place.level != "region" and place.country == root.country
    return place.level in ("academy", "unit") and place.academy is not None and place.academy.id == root.academy.id


def place_for(user: User, *, country: str | None = None, academy_slug: str | None = None,
              unit: str | None = None) -> Place:
    """The place a request names, checked: unknown places are 404, places outside the user's scope 403."""
    if academy_slug is not None:
        academy = db.session.scalar(sa.select(Academy).filter_by(slug=academy_slug))
        if academy is None:
            raise PlaceNotFound(_l("There is no such academy."))
        place = (Place("unit", academy.country_code, academy, unit.strip()) if unit is not None
                 else Place("academy", academy.country_code, academy))
    elif country is not None:
        code = country.upper()
        if db.session.get(Country, code) is None:
            raise PlaceNotFound(_l("There is no such country on this installation."))
        place = Place("country", code)
    else:
        place = Place("region")
    if not may_open(user, place):
        raise PlaceRefused(_l("Your role does not cover these figures: you may open the figures of %(place)s "
                              "and the levels below it.", place=describe(root_for(user))))
    return place


def describe(place: Place) -> str:
    """A place in words, in the interface language."""
    from app.foundation.languages import country_name

    if place.level == "region":
        return str(_l("All countries"))
    if place.level == "country":
        return country_name(place.country)
    if place.level == "academy":
        return place.academy.name
    return unit_label(place.unit)


def unit_label(unit: str | None) -> str:
    return unit if unit else str(_l("No unit recorded"))


def _query(place: Place, as_of: date, today: date) -> services.Query:
    academy = place.academy.slug if place.academy is not None else None
    filters = {k: v for k, v in (("country", place.country), ("academy", academy)) if v}
    return services.Query(as_of, place.country, academy, None, GROUP_BY[place.level], filters,
                          unit=place.unit if place.level == "unit" else None, overdue_on=today)


def figures(user: User, place: Place, as_of: date, today: date, threshold: int) -> dict:
    """The rows of a level (`compute`'s result)."""
    return services.compute(_query(place, as_of, today), services.Scope.for_user(user), threshold)


def children(place: Place, scope: services.Scope) -> list:
    """Every country (at the region) or academy (in a country) of the installation, with or without trainees,
    so that the page can list the ones with none. Units exist only through their trainees."""
    if place.level == "region":
        query = sa.select(Country.code).order_by(Country.code)
        if scope.countries is not None:
            query = query.where(Country.code.in_(sorted(scope.countries)))
        return list(db.session.scalars(query))
    if place.level == "country":
        return list(db.session.scalars(sa.select(Academy).filter_by(country_code=place.country).order_by(Academy.name)))
    return []


def by_academy(user: User, countries: list[str], as_of: date, today: date, threshold: int,
               academy: str | None = None, prong: str | None = None) -> dict:
    """Every academy's rows by prong, for the dashboard: the country levels' own rows, cell for cell, so that
    the dashboard withholds exactly what the drill-down withholds (two tables that protect the same figures
    differently could be read together to give a withheld one back)."""
    rows: list[dict] = []
    for code in countries:
        rows += [r for r in figures(user, Place("country", code), as_of, today, threshold)["rows"]
                 if (academy is None or r["academy"] == academy) and (prong is None or r["prong"] == prong)]
    return {"rows": rows, "threshold": threshold}
