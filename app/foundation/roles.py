"""The roles of the platform, defined once (the user table's constraint is generated from them)."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    TRAINEE = "trainee"
    ACADEMY_ADMIN = "academy_admin"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"
    REGIONAL_COORDINATOR = "regional_coordinator"
    PLATFORM_ADMIN = "platform_admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.TRAINEE: _l("Trainee"),
    Role.ACADEMY_ADMIN: _l("Academy administrator"),
    Role.TRAINER: _l("Trainer"),
    Role.COORDINATOR: _l("National coordinator"),
    Role.REGIONAL_COORDINATOR: _l("Regional coordinator"),
    Role.PLATFORM_ADMIN: _l("Platform administrator"),
}


def sql_in(column: str) -> str:
    return f"{column} IN ({', '.join(repr(r.value) for r in Role)})"
