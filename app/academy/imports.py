"""Bulk import of trainees from CSV: parse, check every row, preview, then apply all or nothing.

Accepted: UTF-8 with or without BOM, comma or semicolon separated (as spreadsheets in the
region export), a header row naming the columns below in any order. Importing the same file
again changes nothing: rows that match an existing trainee of the academy by e-mail are
updated only where they differ.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import audit
from app.auth.accounts import invite_many
from app.auth.models import User
from app.auth.services import UNUSABLE_PASSWORD, record_service
from app.curriculum.models import Country, Course
from app.enrolment import services as enrolment
from app.enrolment.models import Assignment, Cohort, CohortMembership
from app.extensions import db
from app.foundation.emails import email_problem
from app.foundation.errors import ServiceError
from app.foundation.limits import column_length
from app.foundation.prongs import PRONGS
from app.foundation.stages import DEFAULT_TRAINING_STAGE, NOT_STATED
from app.utils import utcnow

from .models import Academy, ImportBatch

REQUIRED_COLUMNS = ("email", "name", "category")
OPTIONAL_COLUMNS = ("unit", "personnel_number", "language", "cohort", "due_date", "training_stage")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
#: Accepted only where the academy records its trainees' sex (`Academy.collects_sex`).
SEX_COLUMN = "sex"
MAX_ROWS = 20000
MAX_BYTES = 5 * 1024 * 1024
#: The longest value of each column: the database columns' own lengths, as the trainee form checks them.
MAX_LENGTHS = {
    "email": column_length(User, "email"), "name": column_length(User, "name"), "unit": column_length(User, "unit"),
    "personnel_number": column_length(User, "personnel_number"), "language": column_length(User, "language"),
    "cohort": column_length(Cohort, "name"),
}
#: Accepted spellings of the categories, as people type them.
CATEGORY_ALIASES = {
    "police": "police", "police officer": "police", "general police": "police",
    "investigator": "investigators", "investigators": "investigators",
    "judiciary": "judiciary", "prosecutor": "judiciary", "judge": "judiciary", "prosecutor/judge": "judiciary",
}

#: Accepted spellings of the training stages; empty keeps a trainee's stage (a new trainee: in service).
STAGE_ALIASES = {
    "basic": "basic", "basic training": "basic", "cadet": "basic",
    "in_service": "in_service", "in-service": "in_service", "in service": "in_service", "serving": "in_service",
    "serving officer": "in_service",
}
#: Accepted spellings of sex; "not stated" clears it; empty keeps what is recorded.
SEX_ALIASES = {"female": "female", "f": "female", "woman": "female", "male": "male", "m": "male", "man": "male",
               "not stated": NOT_STATED, "not_stated": NOT_STATED}

TEMPLATE = (
    "email,name,category,unit,personnel_number,language,cohort,due_date,training_stage\n"
    "officer.one@example.org,Officer One,police,Border unit North,P-0001,sq,Intake 2027,2027-06-30,basic\n"
    "investigator.two@example.org,Investigator Two,investigator,Organised crime unit,P-0002,en,,,in_service\n"
)
#: The template of an academy that records sex: the same rows with the column.
TEMPLATE_WITH_SEX = (
    "email,name,category,unit,personnel_number,language,cohort,due_date,training_stage,sex\n"
    "officer.one@example.org,Officer One,police,Border unit North,P-0001,sq,Intake 2027,2027-06-30,basic,female\n"
    "investigator.two@example.org,Investigator Two,investigator,Organised crime unit,P-0002,en,,,in_service,\n"
)


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    category: str
    unit: str | None
    personnel_number: str | None
    language: str
    cohort: str | None
    due_date: date | None
    #: None: not given (a new trainee gets the default, an existing one keeps theirs).
    training_stage: str | None = None
    #: Given: the value to store (None: not stated); not given: left as it is.
    sex: str | None = None
    sex_given: bool = False
    #: "create", "update" or "unchanged", decided against the database.
    action: str = "create"
    changes: list[str] = field(default_factory=list)


@dataclass
class CohortAssignment:
    """A course assigned to a whole cohort by the import: every row of the cohort has its category and due date."""

    cohort: str
    category: str
    due_date: date
    members: int
    #: False when the cohort already has this assignment (importing the same file again).
    new: bool = True


@dataclass
class ImportPlan:
    rows: list[ImportRow]
    errors: list[RowError]
    #: Due dates given to whole cohorts; rows with a due date outside these get a personal assignment.
    cohort_assignments: list[CohortAssignment] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


class ImportFileError(ServiceError):
    """The file as a whole cannot be read."""


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportFileError(_l("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(_l("Line %(line)d: the file is not UTF-8. Save it as 'CSV UTF-8' and try again.",
                                 line=line)) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFileError(_l("Line %(line)d: the file contains a NUL character, which no CSV text has. "
                                 "Save it again as 'CSV UTF-8' and try again.", line=line))
    return text


def _reader(text: str) -> csv.reader:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def columns_for(academy: Academy) -> tuple[str, ...]:
    """The columns an academy's file may have: the sex column only where the academy records it."""
    return COLUMNS + ((SEX_COLUMN,) if academy.collects_sex else ())


def _header_problem(columns: list[str], academy: Academy) -> str | None:
    accepted = columns_for(academy)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c and c not in accepted]
    if SEX_COLUMN in unknown:
        return "Header: this academy does not record trainees' sex; remove the column sex (or change the setting)."
    if not (missing or unknown):
        return None
    parts = []
    if missing:
        parts.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown column(s): {', '.join(unknown)}")
    return "Header: " + "; ".join(parts) + f". Expected: {', '.join(accepted)}."


@dataclass
class _Seen:
    """What earlier rows of the file used, and what every row is checked against."""

    default_language: str
    languages: set[str]
    emails: dict[str, int] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)


def _check_identity(values: dict, seen: _Seen, problems: list[str]) -> tuple[str, str]:
    email = values.get("email", "").lower()
    problem = email_problem(email) if email else None
    if not email:
        problems.append("e-mail is missing")
    elif problem:
        problems.append(f"'{email}' cannot be used: {problem}")
    elif email in seen.emails:
        problems.append(f"e-mail {email} appears twice in the file (also line {seen.emails[email]})")
    name = values.get("name", "")
    if not name:
        problems.append("name is missing")
    return email, name


def _check_category(values: dict, problems: list[str]) -> str | None:
    raw_category = values.get("category", "").lower()
    category = CATEGORY_ALIASES.get(raw_category)
    if not raw_category:
        problems.append("category is missing")
    elif category is None:
        problems.append(f"unknown category '{values['category']}' (use one of: {', '.join(PRONGS)})")
    return category


def _check_due_date(values: dict, problems: list[str]) -> date | None:
    if not values.get("due_date"):
        return None
    try:
        due = date.fromisoformat(values["due_date"])
    except ValueError:
        problems.append(f"due date '{values['due_date']}' is not a date in the form YYYY-MM-DD")
        return None
    if due < utcnow().date():
        problems.append(f"due date {due.isoformat()} is in the past")
    return due


def _check_stage_and_sex(values: dict, problems: list[str]) -> tuple[str | None, str | None, bool]:
    """(training stage or None, sex to store, whether sex was given)."""
    raw_stage = (values.get("training_stage") or "").lower()
    stage = STAGE_ALIASES.get(raw_stage) if raw_stage else None
    if raw_stage and stage is None:
        problems.append(f"unknown training stage '{values['training_stage']}' (use basic or in_service)")
    raw_sex = (values.get(SEX_COLUMN) or "").lower()
    sex = SEX_ALIASES.get(raw_sex) if raw_sex else None
    if raw_sex and sex is None:
        problems.append(f"unknown sex '{values[SEX_COLUMN]}' (use female, male or not stated, or leave it empty)")
    return stage, (None if sex == NOT_STATED else sex), bool(raw_sex)


def _check_lengths(values: dict, problems: list[str]) -> None:
    for column, longest in MAX_LENGTHS.items():
        if len(values.get(column) or "") > longest:
            problems.append(f"{column} is longer than {longest} characters")


def _check_row(line: int, values: dict, seen: _Seen) -> ImportRow | RowError:
    """One row against the rules and the rows before it."""
    problems: list[str] = []
    _check_lengths(values, problems)
    email, name = _check_identity(values, seen, problems)
    category = _check_category(values, problems)
    number = values.get("personnel_number") or None
    if number and number in seen.numbers:
        problems.append(f"personnel number {number} appears twice in the file (also line {seen.numbers[number]})")
    language = (values.get("language") or "").lower() or seen.default_language
    if language not in seen.languages:
        problems.append(f"unknown language '{language}'")
    due = _check_due_date(values, problems)
    training_stage, sex, sex_given = _check_stage_and_sex(values, problems)
    if problems:
        return RowError(line, "; ".join(problems))
    seen.emails[email] = line
    if number:
        seen.numbers[number] = line
    return ImportRow(line, email, name, category, values.get("unit") or None, number, language,
                     values.get("cohort") or None, due, training_stage, sex, sex_given)


def parse(text: str, academy: Academy) -> ImportPlan:
    """Check every row of the file against the rules and the database; nothing is written."""
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    reader = _reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return ImportPlan([], [RowError(1, "The file is empty.")])
    columns = [h.strip().lower().replace(" ", "_") for h in header]
    problem = _header_problem(columns, academy)
    if problem:
        return ImportPlan([], [RowError(1, problem)])
    seen = _Seen(_default_language(academy), _known_languages())
    try:
        for raw in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in raw):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(RowError(line, f"More than {MAX_ROWS} rows; split the file."))
                break
            if len(raw) > len(columns):
                errors.append(RowError(line, f"{len(raw)} values but the header has {len(columns)} columns."))
                continue
            checked = _check_row(line, {c: (raw[i].strip() if i < len(raw) else "") for i, c in enumerate(columns)},
                                 seen)
            (errors if isinstance(checked, RowError) else rows).append(checked)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, f"the file cannot be read as CSV ({exc})"))
    if not rows and not errors:
        errors.append(RowError(2, "The file has a header but no trainees."))
    _check_against_database(rows, errors, academy)
    errors.sort(key=lambda e: e.line)
    plan = ImportPlan(rows, errors)
    if plan.ok:
        plan.cohort_assignments = _cohort_assignments(rows, academy)
    return plan


def _cohort_assignments(rows: list[ImportRow], academy: Academy) -> list[CohortAssignment]:
    """The cohorts whose due date the file sets for everyone: every row of the cohort has one category and one
    due date, and nobody else is a member now. Such a cohort gets one assignment (which also covers whoever
    joins it later) instead of one per person; any other cohort's rows keep their personal assignments, so that
    an import never gives a due date to people who are not in the file."""
    by_cohort: dict[str, list[ImportRow]] = {}
    for row in rows:
        if row.cohort:
            by_cohort.setdefault(row.cohort, []).append(row)
    candidates = {name: group for name, group in by_cohort.items()
                  if group[0].due_date is not None and len({(r.category, r.due_date) for r in group}) == 1}
    if not candidates:
        return []
    others = set(db.session.execute(
        sa.select(Cohort.name, User.email).join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .join(User, User.id == CohortMembership.user_id)
        .where(Cohort.academy_id == academy.id, Cohort.name.in_(list(candidates)),
               CohortMembership.left_at.is_(None))).all())
    existing = set(db.session.execute(
        sa.select(Cohort.name, Course.prong, Assignment.due_date).join(Assignment, Assignment.cohort_id == Cohort.id)
        .join(Course, Course.id == Assignment.course_id)
        .where(Cohort.academy_id == academy.id, Assignment.module_id.is_(None),
               Assignment.withdrawn_at.is_(None))).all())
    found = []
    for name, group in sorted(candidates.items()):
        emails = {r.email for r in group}
        if any(cohort == name and email not in emails for cohort, email in others):
            continue
        category, due = group[0].category, group[0].due_date
        found.append(CohortAssignment(name, category, due, len(group), (name, category, due) not in existing))
    return found


def _known_languages() -> set[str]:
    languages = {"en"}
    for langs in db.session.scalars(sa.select(Country.languages)):
        languages.update(langs)
    return languages


def _default_language(academy: Academy) -> str:
    return (academy.country.languages or ["en"])[0]


def _check_against_database(rows: list[ImportRow], errors: list[RowError], academy: Academy) -> None:
    if not rows:
        return
    emails = [r.email for r in rows]
    existing: dict[str, User] = {}
    for chunk in range(0, len(emails), 900):
        for user in db.session.scalars(sa.select(User).filter(User.email.in_(emails[chunk:chunk + 900]))):
            existing[user.email] = user
    numbers = dict(db.session.execute(
        sa.select(User.personnel_number, User.email).filter(User.academy_id == academy.id,
                                                            User.personnel_number.is_not(None))
    ).all())
    keep = []
    for row in rows:
        user = existing.get(row.email)
        if user is not None and (user.academy_id != academy.id or not user.is_trainee):
            # The same words whatever the account is, so that no academy learns who is registered elsewhere.
            errors.append(RowError(row.line, f"e-mail {row.email} cannot be used for a trainee of this academy "
                                             "(check it, or ask the platform administrator)"))
            continue
        owner = numbers.get(row.personnel_number) if row.personnel_number else None
        if owner is not None and owner != row.email:
            errors.append(RowError(row.line, f"personnel number {row.personnel_number} already belongs to {owner}"))
            continue
        if user is not None:
            row.changes = [attr for attr in ("name", "category", "unit", "personnel_number", "language")
                           if getattr(user, attr) != getattr(row, attr)]
            if row.training_stage is not None and user.training_stage != row.training_stage:
                row.changes.append("training_stage")
            if row.sex_given and user.sex != row.sex:
                row.changes.append("sex")
            row.action = "update" if row.changes else "unchanged"
        keep.append(row)
    rows[:] = keep


def stage(actor: User, academy: Academy, filename: str, text: str) -> ImportBatch:
    """Keep an uploaded file until it is confirmed (the preview shows what it will do)."""
    batch = ImportBatch(token=secrets.token_urlsafe(32), academy_id=academy.id, uploaded_by_id=actor.id,
                        filename=filename[:255], content=text)
    db.session.add(batch)
    db.session.flush()
    return batch


def staged(academy: Academy, actor: User, token: str) -> ImportBatch | None:
    return db.session.scalar(sa.select(ImportBatch).filter_by(
        token=token, academy_id=academy.id, uploaded_by_id=actor.id, confirmed_at=None))


def apply(actor: User, academy: Academy, batch: ImportBatch) -> ImportPlan:
    """Check the staged file again (the database may have changed) and apply it whole, or not at all.

    `parse` has already checked every row against the same rules as `auth.services.create_user`
    (e-mail form and uniqueness, category, language), so rows are written in bulk here: a
    5,000-row file is a handful of statements, not thousands.
    """
    plan = parse(batch.content, academy)
    if not plan.ok:
        return plan
    cohorts = {c.name: c for c in db.session.scalars(sa.select(Cohort).filter_by(academy_id=academy.id))}
    courses = {c.prong: c for c in db.session.scalars(sa.select(Course))}
    users = {u.email: u for u in db.session.scalars(
        sa.select(User).filter(User.academy_id == academy.id, User.email.in_([r.email for r in plan.rows])))}
    new_users = []
    for row in plan.rows:
        user = users.get(row.email)
        if user is None:
            user = User(email=row.email, name=row.name, role="trainee", country_code=academy.country_code,
                        academy_id=academy.id, category=row.category, language=row.language, unit=row.unit,
                        personnel_number=row.personnel_number, password_hash=UNUSABLE_PASSWORD,
                        training_stage=row.training_stage or DEFAULT_TRAINING_STAGE, sex=row.sex)
            users[row.email] = user
            new_users.append(user)
        else:
            for attr in row.changes:
                setattr(user, attr, getattr(row, attr))
    db.session.add_all(new_users)
    for name in sorted({r.cohort for r in plan.rows if r.cohort} - set(cohorts)):
        cohorts[name] = enrolment.create_cohort(actor, academy, name)
    db.session.flush()
    record_service(new_users, True)  # each new trainee's service starts today
    current = set(db.session.execute(
        sa.select(CohortMembership.cohort_id, CohortMembership.user_id).join(Cohort)
        .filter(Cohort.academy_id == academy.id, CohortMembership.left_at.is_(None))).all())
    existing_due = set(db.session.execute(
        sa.select(Assignment.user_id, Assignment.course_id, Assignment.due_date).filter(
            Assignment.academy_id == academy.id, Assignment.user_id.is_not(None), Assignment.module_id.is_(None),
            Assignment.withdrawn_at.is_(None))).all())
    memberships, assignments = [], []
    through_cohort = {c.cohort for c in plan.cohort_assignments}
    for whole in plan.cohort_assignments:
        course = courses.get(whole.category)
        if whole.new and course is not None:
            assignments.append(Assignment(academy_id=academy.id, course_id=course.id, cohort_id=cohorts[whole.cohort].id,
                                          due_date=whole.due_date, created_by_id=actor.id))
    for row in plan.rows:
        user = users[row.email]
        if row.cohort and (cohorts[row.cohort].id, user.id) not in current:
            memberships.append(CohortMembership(cohort_id=cohorts[row.cohort].id, user_id=user.id))
            current.add((cohorts[row.cohort].id, user.id))
        course = courses.get(row.category)
        if row.cohort in through_cohort:
            continue  # the cohort's assignment covers them
        if row.due_date and course and (user.id, course.id, row.due_date) not in existing_due:
            assignments.append(Assignment(academy_id=academy.id, course_id=course.id, user_id=user.id,
                                          due_date=row.due_date, created_by_id=actor.id))
            existing_due.add((user.id, course.id, row.due_date))
    db.session.add_all(memberships + assignments)
    invited = invite_many(new_users, actor, academy, new_users=True, record=False)
    batch.confirmed_at = utcnow()
    audit(actor, academy, "trainee.import", batch,
                   f"Imported {batch.filename}: {plan.count('create')} created, {plan.count('update')} updated, "
                   f"{plan.count('unchanged')} unchanged; {len(memberships)} cohort memberships and "
                   f"{len(assignments)} assignments added ({sum(1 for a in assignments if a.cohort_id)} to whole "
                   f"cohorts); {invited} invitations sent.")
    db.session.flush()
    return plan
