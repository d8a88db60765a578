"""A trainee's training stage and sex, and the curriculum a mandatory rule builds a course into, defined once.

Database constraints, form choices, the CSV import, the coverage dimensions and the API schema read this module.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Where a trainee is in their career: a cadet in basic training, or a serving officer (in-service training).
TRAINING_STAGES = ("basic", "in_service")
DEFAULT_TRAINING_STAGE = "in_service"
#: Which curriculum of an academy a course is built into: basic or in-service training (mandatory there), or
#: optional (offered, owed by nobody).
CURRICULA = ("basic", "in_service", "optional")
#: A trainee's sex where the academy collects it; NULL in the database is "not stated".
SEXES = ("female", "male")
#: The group of the trainees whose sex is not recorded, in figures and exports.
NOT_STATED = "not_stated"

STAGE_LABELS = {"basic": _l("Basic training (cadet)"), "in_service": _l("In-service (serving officer)")}
CURRICULUM_LABELS = {"basic": _l("Basic training"), "in_service": _l("In-service training"),
                     "optional": _l("Optional")}
SEX_LABELS = {"female": _l("Female"), "male": _l("Male"), NOT_STATED: _l("Not stated")}


def sql_in(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    """A CHECK constraint's text: `column` is one of `values` (or NULL when `nullable`)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IS NULL OR {column} IN ({listed})" if nullable else f"{column} IN ({listed})"


def stage_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in STAGE_LABELS.items()]


def curriculum_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in CURRICULUM_LABELS.items()]


def sex_choices() -> list[tuple[str, str]]:
    """The form's choices: "" (not stated) first."""
    return [("", str(SEX_LABELS[NOT_STATED]))] + [(key, str(SEX_LABELS[key])) for key in SEXES]


def stage_label(stage: str | None) -> str:
    return str(STAGE_LABELS.get(stage, stage or ""))


def curriculum_label(curriculum: str | None) -> str:
    return str(CURRICULUM_LABELS.get(curriculum, curriculum or ""))


def sex_label(sex: str | None) -> str:
    return str(SEX_LABELS.get(sex or NOT_STATED, sex or ""))
