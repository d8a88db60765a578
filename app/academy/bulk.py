"""Actions on a selection of trainees ("with selected ..."), each one a choice and one service call.

An action names what it needs besides the selection (a cohort, a course, a due date), says whether it
must be confirmed on a page first (it takes something away), and calls the same service as the
single-trainee page does, once per trainee, inside the one transaction of the request: the route commits
once, or rolls everything back when one trainee is refused. To add an action (sending invitations, say),
add one `BulkAction` to `ACTIONS` (its `run` calls the service once per trainee) and its key to
`LIST_ACTIONS`: the trainee list offers it, the route needs no change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import audit
from app.auth.accounts import invite_many
from app.auth.models import User
from app.curriculum.models import Course
from app.enrolment import services as enrolment
from app.enrolment.models import Assignment, Cohort
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.roles import Role

from . import services
from .models import Academy

#: At most this many trainees in one action (four pages of the longest list).
MAX_SELECTION = 1000


class BulkError(ServiceError):
    """A selection or an action refused as a whole; nothing was changed."""


@dataclass
class BulkParams:
    cohort: Cohort | None = None
    course: Course | None = None
    due_date: date | None = None


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: object
    #: What the action needs besides the selection: any of "cohort", "course", "due_date" (optional).
    needs: tuple[str, ...]
    #: Takes something away: shown on a confirmation page before it is done.
    destructive: bool
    #: (actor, academy, trainees, params) -> how many trainees it changed (the rest were already so).
    run: Callable[[User, Academy, list[User], BulkParams], int]
    #: With %(changed)d and %(unchanged)d.
    done: object
    #: What the confirmation page says will happen, with %(n)d (and %(cohort)s where a cohort is needed).
    explain: object = ""


def _add_to_cohort(actor, academy, people, params):
    return sum(enrolment.join_cohort(actor, academy, params.cohort, person) for person in people)


def _remove_from_cohort(actor, academy, people, params):
    return sum(enrolment.leave_cohort(actor, academy, params.cohort, person) for person in people)


def _assign_course(actor, academy, people, params):
    # Someone who already has this course assigned with this due date is left as they are.
    have = set(db.session.scalars(sa.select(Assignment.user_id).where(
        Assignment.academy_id == academy.id, Assignment.course_id == params.course.id,
        Assignment.module_id.is_(None), Assignment.withdrawn_at.is_(None),
        Assignment.due_date.is_(None) if params.due_date is None else Assignment.due_date == params.due_date,
        Assignment.user_id.in_([p.id for p in people]))))
    changed = 0
    for person in people:
        if person.id not in have:
            enrolment.assign(actor, academy, course=params.course, trainee=person, due_date=params.due_date)
            changed += 1
    return changed


def _set_suspended(suspended: bool):
    def run(actor, academy, people, params):
        changed = 0
        for person in people:
            if person.active == suspended:
                services.set_suspended(actor, academy, person, suspended)
                changed += 1
        return changed

    return run


def _invite(actor, academy, people, params):
    # One new invitation each for those without a password yet (others already use their account).
    return invite_many(people, actor, academy)


ACTIONS: dict[str, BulkAction] = {a.key: a for a in (
    BulkAction("invite", _l("Send an invitation"), (), False, _invite,
               _l("%(changed)d invitations sent (%(unchanged)d already have a password or are suspended).")),
    BulkAction("add_to_cohort", _l("Add to cohort"), ("cohort",), False, _add_to_cohort,
               _l("%(changed)d added to the cohort (%(unchanged)d were already members).")),
    BulkAction("assign_course", _l("Assign a course"), ("course", "due_date"), False, _assign_course,
               _l("Course assigned to %(changed)d trainees (%(unchanged)d already had it by that date).")),
    BulkAction("suspend", _l("Suspend"), (), True, _set_suspended(True),
               _l("%(changed)d suspended (%(unchanged)d were already suspended)."),
               _l("%(n)d trainees will be suspended: they can no longer sign in. Their training history, "
                  "certificates and cohort memberships are kept, and they can be reactivated at any time.")),
    BulkAction("reactivate", _l("Reactivate"), (), False, _set_suspended(False),
               _l("%(changed)d reactivated (%(unchanged)d were already active).")),
    BulkAction("remove_from_cohort", _l("Remove from the cohort"), ("cohort",), True, _remove_from_cohort,
               _l("%(changed)d removed from the cohort (%(unchanged)d were not members)."),
               _l("%(n)d trainees will leave the cohort %(cohort)s: its assignments no longer apply to them. "
                  "What they completed is kept.")),
)}
#: The actions the trainee list offers (removing from a cohort is offered on the cohort's page).
LIST_ACTIONS = ("invite", "add_to_cohort", "assign_course", "suspend", "reactivate")


def selection(academy: Academy, ids: list[int]) -> list[User]:
    """The selected trainees, all of this academy, or a refusal: one id of someone else refuses the whole."""
    wanted = sorted(set(ids))
    if not wanted:
        raise BulkError(_l("Select at least one trainee."))
    if len(wanted) > MAX_SELECTION:
        raise BulkError(_l("Select at most %(n)d trainees at a time.", n=MAX_SELECTION))
    people = list(db.session.scalars(sa.select(User).where(
        User.id.in_(wanted), User.academy_id == academy.id, User.role == Role.TRAINEE.value).order_by(User.name)))
    if len(people) != len(wanted):
        raise BulkError(_l("Some of the selected people are not trainees of this academy. Nothing was changed."), 404)
    return people


def check_params(action: BulkAction, params: BulkParams) -> None:
    if "cohort" in action.needs and params.cohort is None:
        raise BulkError(_l("Choose the cohort for “%(action)s”.", action=action.label))
    if "course" in action.needs and params.course is None:
        raise BulkError(_l("Choose the course for “%(action)s”.", action=action.label))


def run(actor: User, academy: Academy, action: BulkAction, people: list[User], params: BulkParams) -> tuple[int, int]:
    """Do `action` for every selected trainee; (changed, unchanged). Only flushes: the route commits once."""
    check_params(action, params)
    changed = action.run(actor, academy, people, params)
    extra = f" to {params.cohort.name}" if params.cohort else (f" ({params.course.title})" if params.course else "")
    audit(actor, academy, f"bulk.{action.key}", academy,
          f"{action.key.replace('_', ' ').capitalize()}{extra}: {len(people)} selected, {changed} changed.")
    db.session.flush()
    return changed, len(people) - changed
