"""Classroom sessions: who may see and run them, scheduling, participants, and recording attendance and
paper test results, which make classroom completions through the learning area's one completion rule."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.academy.models import Academy
from app.academy.services import can_manage, find_trainee
from app.audit.services import audit
from app.auth.models import User
from app.curriculum.models import Course, Module, ModuleVersion
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.roles import Role
from app.learning.models import CourseProgress, ModuleProgress
from app.learning.progress import complete_course_if_done, renew_course_if_due
from app.utils import utcnow

from .models import ClassroomSession, SessionParticipant

MAX_SESSION_DAYS = 60
TRUE_WORDS = {"yes", "y", "1", "true", "x", "present"}
FALSE_WORDS = {"no", "n", "0", "false", "", "absent"}


class ClassroomError(ServiceError):
    """A classroom change refused; the message says why."""


# --- who may see and run a session (the one place) ----------------------------------------------


def may_view(actor: User, session: ClassroomSession) -> bool:
    if actor.role == Role.PLATFORM_ADMIN:
        return True
    if actor.role == Role.ACADEMY_ADMIN:
        return actor.academy_id == session.academy_id or actor.academy_id in (session.partner_academy_ids or [])
    return actor.role == Role.TRAINER and any(t.id == actor.id for t in session.trainers)


def may_record(actor: User, session: ClassroomSession) -> bool:
    """Attendance and results: the organising academy's administrators and the session's own trainers."""
    if actor.role == Role.TRAINER:
        return any(t.id == actor.id for t in session.trainers)
    return can_manage(actor, session.academy)


def session_for(actor: User, session_id: int) -> ClassroomSession | None:
    session = db.session.get(ClassroomSession, session_id) if 0 < session_id < 2**31 else None
    return session if session is not None and may_view(actor, session) else None


def sessions_of(academy: Academy) -> list[ClassroomSession]:
    """Sessions the academy organises or joins as a partner, latest first."""
    rows = db.session.scalars(sa.select(ClassroomSession).order_by(ClassroomSession.starts_on.desc(),
                                                                   ClassroomSession.id.desc()))
    return [s for s in rows if s.academy_id == academy.id or academy.id in (s.partner_academy_ids or [])]


def sessions_taught_by(trainer: User) -> list[ClassroomSession]:
    return list(db.session.scalars(
        sa.select(ClassroomSession).join(ClassroomSession.trainers).filter(User.id == trainer.id)
        .order_by(ClassroomSession.starts_on.desc())))


def trainers_of(academy: Academy) -> list[User]:
    return list(db.session.scalars(sa.select(User).filter_by(academy_id=academy.id, role=Role.TRAINER.value,
                                                             active=True).order_by(User.name)))


# --- scheduling ---------------------------------------------------------------------------------


def schedule(actor: User, academy: Academy, *, course_id: int, module_ids: list[int] | None, title: str,
             starts_on: date, ends_on: date, place: str, pass_mark: int, trainer_ids: list[int],
             partner_ids: list[int]) -> ClassroomSession:
    course = db.session.get(Course, course_id)
    if course is None:
        raise ClassroomError(_l("Unknown course."))
    if ends_on < starts_on:
        raise ClassroomError(_l("The session cannot end before it starts."))
    if (ends_on - starts_on).days > MAX_SESSION_DAYS:
        raise ClassroomError(_l("A session lasts at most %(days)d days.", days=MAX_SESSION_DAYS))
    modules = {m.id for m in course.modules if not m.retired}
    if module_ids and not set(module_ids) <= modules:
        raise ClassroomError(_l("A module chosen is not part of this course."))
    trainers = [t for t in trainers_of(academy) if t.id in set(trainer_ids)]
    if not trainers or len(trainers) != len(set(trainer_ids)):
        raise ClassroomError(_l("Choose at least one trainer of this academy."))
    partners = [a for a in db.session.scalars(sa.select(Academy).filter(Academy.id.in_(partner_ids or [])))
                if a.id != academy.id]
    session = ClassroomSession(academy_id=academy.id, course_id=course.id,
                               module_ids=sorted(module_ids) if module_ids and set(module_ids) != modules else None,
                               title=title.strip(), starts_on=starts_on, ends_on=ends_on, place=place.strip(),
                               pass_mark=pass_mark, partner_academy_ids=[a.id for a in partners])
    session.trainers = trainers
    db.session.add(session)
    db.session.flush()
    audit(actor, academy, "session.schedule", session,
          f"Scheduled classroom session '{session.title}' ({course.prong}, {starts_on}–{ends_on}, {session.place}).")
    return session


def session_modules(session: ClassroomSession) -> list[Module]:
    modules = [m for m in session.course.modules if not m.retired]
    return [m for m in modules if m.id in set(session.module_ids)] if session.module_ids else modules


# --- participants -------------------------------------------------------------------------------


def add_participants(actor: User, session: ClassroomSession, academy: Academy, identifiers: list[str]) -> int:
    """Add trainees of `academy` (the organiser, or a partner the actor administers) by e-mail or personnel
    number; all or nothing, naming every identifier that is not a trainee of that academy."""
    if not can_manage(actor, academy) or (
            academy.id != session.academy_id and academy.id not in (session.partner_academy_ids or [])):
        raise ClassroomError(_l("You cannot add participants from this academy."), 403)
    wanted = [i.strip() for i in identifiers if i.strip()]
    if not wanted:
        raise ClassroomError(_l("Give at least one e-mail or personnel number."))
    found, unknown = [], []
    for identifier in wanted:
        trainee = find_trainee(academy, identifier)
        (found if trainee else unknown).append(trainee or identifier)
    if unknown:
        raise ClassroomError(_l("Not trainees of %(academy)s: %(list)s. Nothing was added.", academy=academy.name,
                                list=", ".join(unknown)))
    present = {p.user_id for p in session.participants}
    added = 0
    for trainee in dict.fromkeys(found):
        if trainee.id not in present:
            session.participants.append(SessionParticipant(user_id=trainee.id))
            added += 1
    db.session.flush()
    audit(actor, academy, "session.participants", session, f"Added {added} participant(s) to '{session.title}'.")
    return added


def remove_participant(actor: User, session: ClassroomSession, participant_id: int) -> User:
    participant = next((p for p in session.participants if p.id == participant_id), None)
    if participant is None:
        raise ClassroomError(_l("No such participant."), 404)
    user = participant.user
    if not (can_manage(actor, session.academy) or (actor.role == Role.ACADEMY_ADMIN and actor.academy_id == user.academy_id)):
        raise ClassroomError(_l("You cannot remove this participant."), 403)
    if participant.recorded_at is not None:
        raise ClassroomError(_l("Attendance has been recorded for this participant; it stays on record."), 409)
    session.participants.remove(participant)
    db.session.flush()
    audit(actor, session.academy, "session.remove_participant", session,
          f"Removed {user.name} from '{session.title}'.")
    return user


# --- attendance and results ---------------------------------------------------------------------


@dataclass
class Result:
    attended: bool
    score: int | None


def record(actor: User, session: ClassroomSession, results: dict[int, Result]) -> int:
    """Record attendance and paper test results (user id -> Result) for the session's participants, all or
    nothing; each participant who attended and reached the pass mark completes the session's modules as a
    classroom completion. Returns how many completed now."""
    if not may_record(actor, session):
        raise ClassroomError(_l("You cannot record attendance for this session."), 403)
    if session.starts_on > utcnow().date():
        raise ClassroomError(_l("Attendance can be recorded once the session has started."), 409)
    by_user = {p.user_id: p for p in session.participants}
    strangers = [uid for uid in results if uid not in by_user]
    if strangers:
        raise ClassroomError(_l("Results were given for people who are not participants of this session."))
    now = utcnow()
    completed = 0
    for user_id, result in results.items():
        if result.score is not None and not 0 <= result.score <= 100:
            raise ClassroomError(_l("A test score is a percentage from 0 to 100."))
        participant = by_user[user_id]
        participant.attended, participant.score, participant.recorded_at = result.attended, result.score, now
        if participant.passed and _complete(participant):
            completed += 1
    session.recorded_at = now
    db.session.flush()
    audit(actor, session.academy, "session.record", session,
          f"Recorded attendance for '{session.title}': {sum(r.attended for r in results.values())} present, "
          f"{completed} completed.")
    return completed


def _complete(participant: SessionParticipant) -> bool:
    """Complete the session's modules for one participant (classroom delivery); then the course if that was
    the last of it (learning.progress decides, and the certificate follows). True if anything was new."""
    user, session, now = participant.user, participant.session, utcnow()
    changed = False
    for module in session_modules(session):
        progress = db.session.scalar(sa.select(ModuleProgress).filter_by(
            user_id=user.id, module_id=module.id).order_by(ModuleProgress.id.desc()).limit(1))
        if progress is not None and progress.completed_at is not None:
            continue
        if progress is None or progress.module_version_id != module.current_version_id:
            version = db.session.get(ModuleVersion, module.current_version_id)
            progress = db.session.scalar(sa.select(ModuleProgress).filter_by(
                user_id=user.id, module_version_id=version.id))
            if progress is None:
                progress = ModuleProgress(user_id=user.id, module_id=module.id, module_version_id=version.id)
                db.session.add(progress)
            progress.furthest_section = version.section_count - 1
        progress.reached_end_at = progress.reached_end_at or now
        progress.quiz_passed_at = progress.quiz_passed_at or now
        progress.completed_at, progress.delivery = now, "classroom"
        changed = True
    if not changed:
        # Nothing left to complete: a session of the whole course is the refresher of a completion that is due.
        return not session.module_ids and renew_course_if_due(user, session.course, "classroom") is not None
    record_ = db.session.scalar(sa.select(CourseProgress).filter_by(user_id=user.id, course_id=session.course_id))
    if record_ is None:
        db.session.add(CourseProgress(user_id=user.id, course_id=session.course_id, started_at=now))
    db.session.flush()
    complete_course_if_done(user, session.course)  # the one completion rule decides the delivery, too
    return True


def parse_results_csv(session: ClassroomSession, raw: bytes) -> dict[int, Result]:
    """Attendance from a CSV (columns: email or personnel_number, attended, score), checked row by row;
    ClassroomError lists every bad row by line, and nothing is recorded."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ClassroomError(_l("The file is not UTF-8 text (save it as 'CSV UTF-8').")) from None
    if "\x00" in text:
        raise ClassroomError(_l("The file contains a NUL byte: it is not a CSV text file."))
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    if not ({"email", "personnel_number"} & fields) or "attended" not in fields:
        raise ClassroomError(_l("The first line must name the columns: email (or personnel_number), attended, "
                                "score."))
    participants = {p.user_id: p.user for p in session.participants}
    by_email = {u.email: uid for uid, u in participants.items()}
    by_number = {u.personnel_number: uid for uid, u in participants.items() if u.personnel_number}
    results: dict[int, Result] = {}
    errors: list[str] = []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        who = row.get("email", "").lower() or row.get("personnel_number", "")
        user_id = by_email.get(who) or by_number.get(who)
        attended_word = row.get("attended", "").lower()
        score_text = row.get("score", "")
        problems = []
        if user_id is None:
            problems.append(str(_l("'%(who)s' is not a participant of this session", who=who[:80] or "—")))
        if attended_word not in TRUE_WORDS | FALSE_WORDS:
            problems.append(str(_l("attended must be yes or no, not '%(value)s'", value=attended_word[:20])))
        score = None
        if score_text:
            try:
                score = int(score_text.rstrip("%"))
            except ValueError:
                score = -1
            if not 0 <= score <= 100:
                problems.append(str(_l("score must be a whole percentage from 0 to 100, not '%(value)s'",
                                       value=score_text[:20])))
        if user_id is not None and user_id in results:
            problems.append(str(_l("this participant appears twice")))
        if problems:
            errors.append(str(_l("Line %(line)d: %(problems)s", line=line, problems="; ".join(problems))))
            continue
        results[user_id] = Result(attended_word in TRUE_WORDS, score)
    if errors:
        raise ClassroomError(" ".join(errors[:20]) + ("…" if len(errors) > 20 else ""))
    if not results:
        raise ClassroomError(_l("The file has no rows."))
    return results
