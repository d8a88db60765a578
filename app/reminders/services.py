"""Which reminders are due on a day, and sending each once.

Due dates and overdue come only from the one rule: `learning.progress.overdue_rows` (which reads
`enrolment.rules.due_rows`). An obligation due on day D that is not complete is exactly a row of
`overdue_rows(D + 1 day)`, so "due within n days" is asked of that same function with a later date.

Three kinds, each recorded in `SentReminder` under a unique key, so that a second run sends nothing again:
- before a due date, on the academy's days (e.g. 14 and 3 days before): the most urgent one that applies
  (a run missed on the 14th day before still reminds on the 13th; a due date set 5 days ahead gets the
  14-day reminder now and the 3-day one later, never two at once);
- when a course becomes overdue, once (per trainee, course and earliest overdue due date);
- a weekly digest of the academy's overdue trainees to each of its administrators, on the academy's
  weekday (or the first run after it in that week).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import mail
from app.academy.models import Academy
from app.audit.services import audit
from app.auth.models import User
from app.curriculum.models import Course
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.roles import Role
from app.learning.progress import overdue_rows
from app.mail.services import external_url

from .models import DIGEST, DUE_SOON, OVERDUE, SentReminder

MAX_DAYS_BEFORE = 365


class ReminderSettingsError(ServiceError):
    """Reminder settings refused; the message says why."""


def days_before(academy: Academy) -> list[int]:
    """The academy's reminder days, largest first ("14,3" -> [14, 3])."""
    days = set()
    for part in (academy.reminder_days_before or "").split(","):
        if part.strip().isdigit():
            days.add(int(part))
    return sorted(days, reverse=True)


def parse_days(text: str) -> list[int]:
    """"14, 3" -> [14, 3]; refuse anything but whole numbers of days from 0 to 365, at most five of them."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > MAX_DAYS_BEFORE:
            raise ReminderSettingsError(_l("'%(value)s' is not a number of days from 0 to %(max)d.", value=part,
                                           max=MAX_DAYS_BEFORE))
        days.add(int(part))
    if len(days) > 5:
        raise ReminderSettingsError(_l("At most five reminders before a due date."))
    return sorted(days, reverse=True)


def update_settings(actor: User, academy: Academy, *, days: str, overdue_notice: bool,
                    digest_weekday: int | None) -> None:
    """Change the academy's reminder settings (audited)."""
    parsed = ",".join(str(d) for d in parse_days(days))
    if digest_weekday is not None and not 0 <= digest_weekday <= 6:
        raise ReminderSettingsError(_l("Choose a day of the week."))
    changes = []
    for attr, value in (("reminder_days_before", parsed), ("overdue_notice", bool(overdue_notice)),
                        ("digest_weekday", digest_weekday)):
        if getattr(academy, attr) != value:
            changes.append(f"{attr}={value}")
            setattr(academy, attr, value)
    if changes:
        audit(actor, academy, "academy.reminders", academy, f"Reminder settings: {', '.join(changes)}.")


# --- what is due on a day ------------------------------------------------------------------------


@dataclass
class Reminder:
    key: str
    kind: str
    user_id: int
    academy_id: int
    course_id: int | None
    period: date
    days_left: int | None = None


def _incomplete_obligations(until: date, since: date | None = None):
    """(user, course, academy, due date) of each obligation due before `until` (and on or after `since`)
    whose part is not complete: the one rule, distinct."""
    rows = overdue_rows(until).subquery()
    query = sa.select(rows.c.user_id, rows.c.course_id, rows.c.academy_id, rows.c.due_date).distinct()
    if since is not None:
        query = query.where(rows.c.due_date >= since)
    return db.session.execute(query).all()


def due_soon(as_of: date, academies: dict[int, Academy]) -> list[Reminder]:
    """Reminders before a due date that apply on `as_of`: per obligation, the most urgent of its academy's days."""
    longest = max((d for a in academies.values() for d in days_before(a)), default=None)
    if longest is None:
        return []
    found = []
    for user_id, course_id, academy_id, due in _incomplete_obligations(as_of + timedelta(days=longest + 1), as_of):
        academy = academies.get(academy_id)
        left = (due - as_of).days
        applicable = [d for d in days_before(academy) if left <= d] if academy else []
        if applicable:
            n = min(applicable)
            found.append(Reminder(f"{DUE_SOON}:{user_id}:{course_id}:{due.isoformat()}:{n}", DUE_SOON, user_id,
                                  academy_id, course_id, due, left))
    return found


def became_overdue(as_of: date, academies: dict[int, Academy], overdue) -> list[Reminder]:
    """One notice per trainee and course that is overdue on `as_of` (keyed by the earliest overdue due date)."""
    earliest: dict[tuple[int, int, int], date] = {}
    for user_id, course_id, academy_id, due in overdue:
        key = (user_id, course_id, academy_id)
        earliest[key] = min(due, earliest.get(key, due))
    return [Reminder(f"{OVERDUE}:{u}:{c}:{due.isoformat()}", OVERDUE, u, a, c, due)
            for (u, c, a), due in sorted(earliest.items())
            if a in academies and academies[a].overdue_notice]


def digests(as_of: date, academies: dict[int, Academy], overdue) -> list[tuple[Reminder, list]]:
    """Each administrator's weekly digest due on `as_of`, with its academy's overdue rows."""
    week = as_of - timedelta(days=as_of.weekday())
    by_academy = defaultdict(list)
    for row in overdue:
        by_academy[row[2]].append(row)
    found = []
    for academy_id, rows in sorted(by_academy.items()):
        academy = academies.get(academy_id)
        if academy is None or academy.digest_weekday is None or as_of.weekday() < academy.digest_weekday:
            continue
        admins = db.session.scalars(sa.select(User.id).filter_by(academy_id=academy_id, role=Role.ACADEMY_ADMIN.value,
                                                                 active=True).order_by(User.id))
        for admin_id in admins:
            found.append((Reminder(f"{DIGEST}:{admin_id}:-:{week.isoformat()}", DIGEST, admin_id, academy_id, None,
                                   week), rows))
    return found


# --- sending ---------------------------------------------------------------------------------------


def _already_sent(keys: list[str]) -> set[str]:
    sent = set()
    for start in range(0, len(keys), 500):
        sent |= set(db.session.scalars(sa.select(SentReminder.key).where(SentReminder.key.in_(keys[start:start + 500]))))
    return sent


def _record(reminder: Reminder) -> None:
    db.session.add(SentReminder(key=reminder.key, kind=reminder.kind, user_id=reminder.user_id,
                                academy_id=reminder.academy_id, course_id=reminder.course_id, period=reminder.period))


def send(as_of: date) -> dict[str, int]:
    """Queue every reminder due on `as_of` that was not sent before (only adds; the command commits)."""
    academies = {a.id: a for a in db.session.scalars(sa.select(Academy))}
    courses = {c.id: c for c in db.session.scalars(sa.select(Course))}
    overdue = _incomplete_obligations(as_of)
    personal = due_soon(as_of, academies) + became_overdue(as_of, academies, overdue)
    digest_list = digests(as_of, academies, overdue)
    done = _already_sent([r.key for r in personal] + [r.key for r, _rows in digest_list])
    ids = {r.user_id for r in personal if r.key not in done} | {u for _r, rows in digest_list for u, *_x in rows} \
        | {r.user_id for r, _rows in digest_list}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    counts = {DUE_SOON: 0, OVERDUE: 0, DIGEST: 0}
    dashboard = external_url("learning.dashboard")
    for reminder in personal:
        if reminder.key in done:
            continue
        user, course = users[reminder.user_id], courses[reminder.course_id]
        template = "reminder_due" if reminder.kind == DUE_SOON else "reminder_overdue"
        mail.queue(to=user.email, language=user.language, template=template, kind=f"reminder_{reminder.kind}",
                   key=f"reminder:{reminder.key}", user=user, course_title=course.text_in(user.language)["title"],
                   due_date=reminder.period, days_left=reminder.days_left, link=dashboard)
        _record(reminder)
        done.add(reminder.key)
        counts[reminder.kind] += 1
    for reminder, rows in digest_list:
        if reminder.key in done:
            continue
        admin, academy = users[reminder.user_id], academies[reminder.academy_id]
        lines = sorted(((users[u].name, users[u].email, courses[c].text_in(admin.language)["title"], due)
                        for u, c, _a, due in rows), key=lambda line: (line[3], line[0]))
        mail.queue(to=admin.email, language=admin.language, template="digest", kind="reminder_digest",
                   key=f"reminder:{reminder.key}", user=admin, academy=academy, lines=lines, as_of=as_of,
                   trainees=len({u for u, *_x in rows}), link=external_url("academy.report", slug=academy.slug))
        _record(reminder)
        done.add(reminder.key)
        counts[DIGEST] += 1
    db.session.flush()
    return counts
