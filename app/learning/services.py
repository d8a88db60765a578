"""The trainee learning loop: which course, where they are, reading, quizzes and completion.

Services take plain values and model objects (never the request) and only
flush; the route commits once.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm.selectinload)
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.auth.models import User
from app.curriculum.models import (
    Course,
    Module,
    ModuleRendition,
    ModuleVersion,
    Question,
    QuestionBank,
)
from app.curriculum.services import reading_languages
from app.curriculum.tree import BASE_LANGUAGE
from app.enrolment.rules import Entitlement, entitlements_for, may_take_module
from app.extensions import db
from app.foundation.errors import ServiceError
from app.utils import utcnow

from . import progress as progress_rules
from .models import AttemptAnswer, CourseProgress, ModuleProgress, QuizAttempt

_random = random.SystemRandom()


class LearningError(ServiceError):
    """A request the learning loop refuses; `status` is the HTTP status to answer with."""


class QuizRejected(LearningError):
    """A quiz form that was tampered with, replayed or is not the trainee's: nothing is recorded."""


class QuizIncomplete(LearningError):
    """A quiz form with unanswered questions: shown again with the answers given so far."""

    def __init__(self, message: str, chosen: dict[int, list[str]]):
        super().__init__(message, 422)
        self.chosen = chosen


# --- which course and module a trainee may use ---------------------------------------------------


def module_for(user: User, slug: str) -> Module:
    """A module the trainee is entitled to take, or LearningError(404): one place for that rule."""
    found = db.session.execute(
        sa.select(Module, Course.prong).join(Course, Course.id == Module.course_id).filter(
            Module.slug == slug, Module.retired.is_(False))
    ).first()
    if found is None or not user.is_trainee:
        raise LearningError(_l("No such module in your courses."), 404)
    module, prong = found
    # Fast path for the common case: the course of the trainee's own service category.
    if prong != user.category and not may_take_module(user, module):
        raise LearningError(_l("No such module in your courses."), 404)
    return module


@dataclass
class CoursePlan:
    """One course on a trainee's dashboard: the modules they are to take, and by when."""

    course: Course
    entitlement: Entitlement
    statuses: list[ModuleStatus]
    tests: dict
    #: The course's title and description in the trainee's language where translated (Course.text_in).
    text: dict
    #: Module version id -> {"title", "language"} as the trainee reads it (module_titles).
    titles: dict
    #: Overdue by the one rule (progress.overdue_rows), as the academy report and the coverage figures say.
    overdue: bool = False
    #: The completion's validity and whether a refresher is due (progress.refresher_state); None: not completed.
    refresher: progress_rules.RefresherState | None = None

    @property
    def summary(self) -> dict:
        return course_summary(self.statuses)


def my_courses(user: User) -> list[CoursePlan]:
    """The trainee's courses (assigned, mandatory or by service category) with module statuses."""
    plans = []
    overdue = progress_rules.overdue_courses(user)
    for ent in entitlements_for(user):
        course = db.session.get(Course, ent.course_id)
        statuses = course_statuses(user, course)
        if ent.module_ids is not None:
            statuses = [s for s in statuses if s.module.id in ent.module_ids]
        plans.append(CoursePlan(course, ent, statuses, course_tests(user, course), course.text_in(reading_chain(user)),
                                module_titles(user, [s.version for s in statuses]), course.id in overdue,
                                progress_rules.refresher_state(user, course)))
    return plans


def reading_chain(user: User) -> list[str]:
    """The languages this trainee reads, in order (their own, their country's fallbacks, English)."""
    return reading_languages(user.country, user.language)


def _best(candidates: dict[str, dict], chain: list[str]) -> dict | None:
    """Of texts by rendition language, the first in the chain whose text really is in that language; else
    the trainee's own rendition (English text around passages in their language); else English."""
    for language in chain:
        found = candidates.get(language)
        if found is not None and found.get("language") == language:
            return found
    return candidates.get(chain[0]) or candidates.get(BASE_LANGUAGE)


def module_titles(user: User, versions: list[ModuleVersion]) -> dict[int, dict]:
    """Each module version's title as the trainee reads it: from the rendition for their country and
    language (one query, the titles only), else the English title."""
    titles = {v.id: {"title": v.title, "language": BASE_LANGUAGE} for v in versions}
    if not versions:
        return titles
    chain = reading_chain(user)
    rows = db.session.execute(
        sa.select(ModuleRendition.module_version_id, ModuleRendition.language,
                  ModuleRendition.content["title"].as_string(), ModuleRendition.content["language"].as_string())
        .where(ModuleRendition.module_version_id.in_(titles), ModuleRendition.country_code == user.country_code,
               ModuleRendition.language.in_(chain))
    )
    found: dict[int, dict[str, dict]] = {}
    for version_id, rendition_language, title, language in rows:
        if title:
            found.setdefault(version_id, {})[rendition_language] = {"title": title, "language": language or BASE_LANGUAGE}
    for version_id, candidates in found.items():
        best = _best(candidates, chain)
        if best is not None:
            titles[version_id] = best
    return titles


# --- progress ------------------------------------------------------------------------------------


@dataclass
class ModuleStatus:
    module: Module
    version: ModuleVersion
    progress: ModuleProgress | None
    attempts: int
    best_score: int | None

    @property
    def state(self) -> str:
        p = self.progress
        if p is None:
            return "not_started"
        if p.completed_at is not None:
            return "complete"
        if p.reached_end_at is not None:
            return "quiz_pending"
        return "reading"

    @property
    def sections_read(self) -> int:
        return 0 if self.progress is None else self.progress.furthest_section + 1

    @property
    def resume_section(self) -> int:
        """The section to open on 'continue': the first one not yet read, or the last."""
        return min(self.sections_read, self.version.section_count - 1)


def current_progress(user: User, module: Module) -> ModuleProgress | None:
    """The trainee's progress on the version they are on (the latest they started)."""
    return db.session.scalar(
        sa.select(ModuleProgress)
        .filter_by(user_id=user.id, module_id=module.id)
        .options(sa.orm.joinedload(ModuleProgress.module_version))  # the reader needs both: one query
        .order_by(ModuleProgress.id.desc())
        .limit(1)
    )


def course_statuses(user: User, course: Course) -> list[ModuleStatus]:
    """Status of every module of a course for one trainee, in three queries whatever the size."""
    modules = list(course.modules)
    ids = [m.id for m in modules]
    progress_rows = db.session.scalars(
        sa.select(ModuleProgress).filter(ModuleProgress.user_id == user.id, ModuleProgress.module_id.in_(ids))
        .order_by(ModuleProgress.id)
    ).all()
    # A trainee keeps the version they started (see `_start_progress`), so the latest row is theirs.
    latest = {row.module_id: row for row in progress_rows}
    scores = {
        module_id: (count, best)
        for module_id, count, best in db.session.execute(
            sa.select(QuizAttempt.module_id, sa.func.count(QuizAttempt.id), sa.func.max(QuizAttempt.score_percent))
            .filter(QuizAttempt.user_id == user.id, QuizAttempt.module_id.in_(ids),
                    QuizAttempt.submitted_at.is_not(None))
            .group_by(QuizAttempt.module_id)
        )
    }
    versions = {
        v.id: v for v in db.session.scalars(
            sa.select(ModuleVersion).filter(
                ModuleVersion.id.in_({m.current_version_id for m in modules} | {p.module_version_id for p in latest.values()})
            )
        )
    }
    statuses = []
    for module in modules:
        progress = latest.get(module.id)
        version = versions[progress.module_version_id] if progress else versions[module.current_version_id]
        count, best = scores.get(module.id, (0, None))
        statuses.append(ModuleStatus(module, version, progress, count, best))
    return statuses


def course_summary(statuses: list[ModuleStatus]) -> dict:
    done = sum(1 for s in statuses if s.state == "complete")
    return {"done": done, "total": len(statuses), "complete": bool(statuses) and done == len(statuses)}


def _start_progress(user: User, module: Module) -> ModuleProgress:
    progress = current_progress(user, module)
    if progress is None:
        progress = ModuleProgress(user_id=user.id, module_id=module.id, module_version_id=module.current_version_id)
        db.session.add(progress)
        if db.session.scalar(sa.select(CourseProgress.id).filter_by(user_id=user.id, course_id=module.course_id)) is None:
            db.session.add(CourseProgress(user_id=user.id, course_id=module.course_id, started_at=progress.started_at or utcnow()))
        db.session.flush()
    return progress


_UNSET = object()


def version_for(user: User, module: Module, progress=_UNSET) -> ModuleVersion:
    """The version a trainee reads: the one they started, else the current one."""
    if progress is _UNSET:
        progress = current_progress(user, module)
    if progress is not None:
        return progress.module_version
    return db.session.get(ModuleVersion, module.current_version_id)


def record_section_read(user: User, module: Module, index: int) -> ModuleProgress:
    """Mark section `index` (0-based) as read. Sections are read in order."""
    progress = _start_progress(user, module)
    version = db.session.get(ModuleVersion, progress.module_version_id)
    if not 0 <= index < version.section_count:
        raise LearningError(_l("No such section."), 404)
    if index > progress.furthest_section + 1:
        raise LearningError(_l("Please read the sections in order."), 409)
    if index > progress.furthest_section:
        progress.furthest_section = index
    if index == version.section_count - 1 and progress.reached_end_at is None:
        progress.reached_end_at = utcnow()
        _complete_if_done(progress)
    progress.updated_at = utcnow()
    return progress


def can_read_section(progress: ModuleProgress | None, index: int) -> bool:
    """Sections are read in order: the next unread one, or any already read."""
    return index <= (progress.furthest_section + 1 if progress else 0)


def _complete_if_done(progress: ModuleProgress) -> None:
    if progress.completed_at is None and progress.reached_end_at and progress.quiz_passed_at:
        progress.completed_at = utcnow()
        db.session.flush()
        user = db.session.get(User, progress.user_id)
        progress_rules.complete_course_if_done(user, db.session.get(Module, progress.module_id).course)


# --- reading -------------------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _rendition_content(rendition_id: int, content_hash: str) -> dict:
    """Stored rendition content, kept in memory by content hash: a reload changes the hash."""
    return db.session.scalar(sa.select(ModuleRendition.content).filter_by(id=rendition_id))


def rendition_for(user: User, version: ModuleVersion) -> dict:
    """The rendered module for the trainee's country, in the first language of their reading chain that it
    is translated into (reading_chain); English if none."""
    chain = reading_chain(user)
    rows = db.session.execute(
        sa.select(ModuleRendition.id, ModuleRendition.language, ModuleRendition.content_hash).filter(
            ModuleRendition.module_version_id == version.id, ModuleRendition.country_code == user.country_code,
            ModuleRendition.language.in_(chain))
    ).all()
    if not rows:
        raise LearningError(_l("This module has not been prepared for your country yet."), 404)
    candidates = {row.language: _rendition_content(row.id, row.content_hash)
                  for row in sorted(rows, key=lambda r: chain.index(r.language))}
    return _best(candidates, chain)


# --- quizzes -------------------------------------------------------------------------------------


def _bank_language(bank: QuestionBank, chain: list[str]) -> str:
    """The first language of the trainee's reading chain the bank is translated into, else English."""
    return next((language for language in chain if language in (bank.translations or {})), BASE_LANGUAGE)


def _draw(questions: list[Question], count: int) -> list[dict]:
    """Questions drawn at random, each with its options shuffled; kept on the attempt."""
    entries = []
    for q in _random.sample(questions, min(count, len(questions))):
        order = [o["id"] for o in q.data.get("options", [])]
        _random.shuffle(order)
        entries.append({"question_id": q.id, "order": order})
    return entries


def _for_country(questions, country: str) -> list[Question]:
    return [q for q in questions if not q.countries or country in q.countries]


@dataclass
class RetakeState:
    """The bank's limits on attempts as they stand for one trainee; shown before the quiz is opened."""

    max_attempts: int | None
    wait_minutes: int | None
    used: int
    next_at: datetime | None

    @property
    def remaining(self) -> int | None:
        return None if self.max_attempts is None else max(self.max_attempts - self.used, 0)

    @property
    def exhausted(self) -> bool:
        return self.remaining == 0

    def waiting(self, now: datetime) -> bool:
        return self.next_at is not None and now < self.next_at


def retake_state(user: User, module: Module) -> RetakeState | None:
    """Attempts used on the module's current bank and when the next may start; None without a bank."""
    bank = db.session.get(QuestionBank, module.current_bank_id) if module.current_bank_id else None
    if bank is None:
        return None
    used, last = db.session.execute(
        sa.select(sa.func.count(QuizAttempt.id), sa.func.max(QuizAttempt.submitted_at)).filter(
            QuizAttempt.user_id == user.id, QuizAttempt.bank_id == bank.id, QuizAttempt.kind == "module",
            QuizAttempt.submitted_at.is_not(None))
    ).one()
    next_at = last + timedelta(minutes=bank.retake_wait_minutes) if last and bank.retake_wait_minutes else None
    return RetakeState(bank.max_attempts, bank.retake_wait_minutes, used, next_at)


def _last_seen(user: User, bank: QuestionBank) -> set[int]:
    """Question ids of the trainee's last submitted attempt on this bank."""
    drawn = db.session.scalar(
        sa.select(QuizAttempt.drawn).filter(
            QuizAttempt.user_id == user.id, QuizAttempt.bank_id == bank.id, QuizAttempt.kind == "module",
            QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()).limit(1)
    )
    return {e["question_id"] for e in drawn or []}


def _draw_fresh(questions: list[Question], count: int, seen: set[int]) -> list[dict]:
    """Draw `count` questions, taking those not in `seen` first: a retake asks new questions where the bank
    has enough, and tops up at random from the ones just seen only where it has not."""
    fresh = [q for q in questions if q.id not in seen]
    if len(fresh) >= count:
        return _draw(fresh, count)
    rest = [q for q in questions if q.id in seen]
    entries = _draw(fresh, len(fresh)) + _draw(rest, count - len(fresh))
    _random.shuffle(entries)
    return entries


def open_quiz_attempt(user: User, module: Module) -> QuizAttempt | None:
    """The trainee's started, not yet submitted attempt at the module's current quiz (reads only)."""
    if module.current_bank_id is None:
        return None
    return db.session.scalar(
        sa.select(QuizAttempt).filter_by(user_id=user.id, module_id=module.id, bank_id=module.current_bank_id,
                                         submitted_at=None)
        .order_by(QuizAttempt.id.desc()).limit(1)
    )


def may_start_quiz(user: User, module: Module) -> RetakeState:
    """Whether a new attempt may start now: LearningError with the reason if not (reads only).

    The quiz's start page and `start_quiz` ask the same question, so the page never offers what the
    POST would refuse."""
    progress = current_progress(user, module)
    if progress is None or progress.reached_end_at is None:
        raise LearningError(_l("Read the module to the end before taking its quiz."), 409)
    if module.current_bank_id is None:
        raise LearningError(_l("This module has no quiz yet."), 404)
    limits = retake_state(user, module)
    if limits.exhausted:
        raise LearningError(_l("You have used all %(count)d attempts at this quiz. Ask your academy administrator "
                               "about another attempt.", count=limits.max_attempts), 409)
    if limits.waiting(utcnow()):
        raise LearningError(_l("The next attempt at this quiz opens at %(time)s UTC.",
                               time=limits.next_at.strftime("%Y-%m-%d %H:%M")), 409)
    return limits


def start_quiz(user: User, module: Module) -> QuizAttempt:
    """An open attempt for the trainee (reused until submitted), with questions drawn server-side.

    Called on POST only: opening the quiz page shows a started attempt or offers to start one."""
    open_attempt = open_quiz_attempt(user, module)
    if open_attempt is not None:
        return open_attempt
    may_start_quiz(user, module)
    progress = current_progress(user, module)
    bank = db.session.get(QuestionBank, module.current_bank_id)
    entries = _draw_fresh(_for_country(bank.questions, user.country_code), bank.draw_count, _last_seen(user, bank))
    attempt = QuizAttempt(
        token=secrets.token_urlsafe(32), user_id=user.id, kind="module", module_id=module.id,
        course_id=module.course_id, module_version_id=progress.module_version_id, bank_id=bank.id, drawn=entries,
        language=_bank_language(bank, reading_chain(user)), question_count=len(entries),
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


# --- course pre-tests and post-tests --------------------------------------------------------------

TEST_KINDS = ("pre_test", "post_test")


def course_tests(user: User, course: Course) -> dict:
    """For each of the course's tests: whether it can be taken now, and the submitted attempt if any.

    The pre-test is for before the course (until the first section is read); the post-test for after
    it is complete. Each is taken once: their difference is the trainee's knowledge gain.
    """
    if not course.test_draw:
        return {}
    submitted = {
        a.kind: a for a in db.session.scalars(sa.select(QuizAttempt).filter(
            QuizAttempt.user_id == user.id, QuizAttempt.course_id == course.id,
            QuizAttempt.kind.in_(TEST_KINDS), QuizAttempt.submitted_at.is_not(None)))
    }
    record = db.session.scalar(sa.select(CourseProgress).filter_by(user_id=user.id, course_id=course.id))
    started = record is not None
    complete = record is not None and record.completed_at is not None
    return {
        "pre_test": {"attempt": submitted.get("pre_test"), "open": not started and "pre_test" not in submitted},
        "post_test": {"attempt": submitted.get("post_test"), "open": complete and "post_test" not in submitted},
    }


def open_course_test(user: User, course: Course, kind: str) -> QuizAttempt | None:
    """The trainee's started, not yet submitted pre-test or post-test of the course (reads only)."""
    return db.session.scalar(
        sa.select(QuizAttempt).filter_by(user_id=user.id, course_id=course.id, kind=kind, submitted_at=None)
        .order_by(QuizAttempt.id.desc()).limit(1)
    )


# --- refreshers ----------------------------------------------------------------------------------

REFRESHER = "refresher"
#: Questions of a refresher test where the course sets no `tests: draw`.
REFRESHER_DRAW = 10
#: The refresher's pass mark where the course's modules have no quiz to take it from.
REFRESHER_PASS_MARK = 70


def refresher_draw(course: Course) -> int:
    """How many questions a refresher test draws: as many as the course's tests, else REFRESHER_DRAW."""
    return course.test_draw or REFRESHER_DRAW


def refresher_pass_mark(course: Course) -> int:
    """The refresher test's pass mark: the highest pass mark of the course's module quizzes (it stands for all of
    them), else REFRESHER_PASS_MARK."""
    bank_ids = [m.current_bank_id for m in course.modules if m.current_bank_id]
    mark = db.session.scalar(sa.select(sa.func.max(QuestionBank.pass_mark)).where(QuestionBank.id.in_(bank_ids))) \
        if bank_ids else None
    return mark or REFRESHER_PASS_MARK


def may_start_refresher(user: User, course: Course) -> progress_rules.RefresherState:
    """The trainee's completion if a refresher can be taken now (due or lapsed); LearningError if not."""
    state = progress_rules.refresher_state(user, course)
    if state is None:
        raise LearningError(_l("The refresher is for those who have completed the course."), 409)
    if not state.renewable:
        raise LearningError(_l("Your completion is current: the refresher opens %(days)d days before it lapses.",
                               days=progress_rules.DUE_SOON_DAYS), 409)
    return state


def refresher_of(user: User, course_id: int) -> progress_rules.RefresherState | None:
    """The trainee's refresher state on a course, by the course's id."""
    course = db.session.get(Course, course_id)
    return progress_rules.refresher_state(user, course) if course is not None else None


def may_start_course_test(user: User, course: Course, kind: str) -> None:
    """LearningError with the reason if the test cannot be taken now (reads only)."""
    if kind == REFRESHER:
        may_start_refresher(user, course)
        return
    state = course_tests(user, course).get(kind)
    if state is None:
        raise LearningError(_l("This course has no such test."), 404)
    if not state["open"]:
        if state["attempt"] is not None:
            raise LearningError(_l("You have already taken this test."), 409)
        message = (_l("The pre-test is taken before starting the course.") if kind == "pre_test"
                   else _l("The post-test opens when the course is complete."))
        raise LearningError(message, 409)


def start_course_test(user: User, course: Course, kind: str) -> QuizAttempt:
    may_start_course_test(user, course, kind)
    open_attempt = open_course_test(user, course, kind)
    if open_attempt is not None:
        return open_attempt
    bank_ids = [m.current_bank_id for m in course.modules if m.current_bank_id]
    pool = _for_country(db.session.scalars(sa.select(Question).filter(Question.bank_id.in_(bank_ids))).all(),
                        user.country_code)
    entries = _draw(pool, refresher_draw(course) if kind == REFRESHER else course.test_draw)
    if not entries:
        raise LearningError(_l("This course has no questions yet."), 404)
    attempt = QuizAttempt(token=secrets.token_urlsafe(32), user_id=user.id, kind=kind, course_id=course.id,
                          drawn=entries, language=user.language, question_count=len(entries))
    db.session.add(attempt)
    db.session.flush()
    return attempt


def pre_test_pending(user: User, course: Course) -> bool:
    """True while the trainee has neither taken nor skipped the course's pre-test and has not started the
    course: the one moment they must choose (opening a module first would close the pre-test for good)."""
    state = course_tests(user, course).get("pre_test")
    return bool(state and state["open"])


def skip_pre_test(user: User, course: Course) -> None:
    """The trainee's choice to start the course without the pre-test: the course counts as started, which
    closes the pre-test for good (as reading the first section would)."""
    if not pre_test_pending(user, course):
        raise LearningError(_l("The pre-test is taken before starting the course."), 409)
    db.session.add(CourseProgress(user_id=user.id, course_id=course.id, started_at=utcnow()))
    db.session.flush()


def course_completion(user: User, course: Course) -> CourseProgress | None:
    """The trainee's completion record of the course (with `completed_at`), or None if not complete."""
    return db.session.scalar(sa.select(CourseProgress).filter(
        CourseProgress.user_id == user.id, CourseProgress.course_id == course.id,
        CourseProgress.completed_at.is_not(None)))


def plan_for(user: User, course_id: int) -> CoursePlan:
    """One course of the trainee's dashboard, or LearningError(404) if it is not theirs."""
    plan = next((p for p in my_courses(user) if p.course.id == course_id), None)
    if plan is None:
        raise LearningError(_l("No such course in your training."), 404)
    return plan


def next_module(plan: CoursePlan, after: Module | None = None) -> ModuleStatus | None:
    """The module to take next in a course: the first one not complete after `after` (in course order),
    else the first one not complete anywhere; None when every module is complete."""
    pending = [s for s in plan.statuses if s.state != "complete"]
    if after is not None:
        ids = [s.module.id for s in plan.statuses]
        position = ids.index(after.id) if after.id in ids else -1
        later = [s for s in pending if ids.index(s.module.id) > position]
        if later:
            return later[0]
    return pending[0] if pending else None


def _questions_of(attempt: QuizAttempt) -> dict[int, Question]:
    ids = [e["question_id"] for e in attempt.drawn]
    query = sa.select(Question).filter(Question.id.in_(ids)).options(sa.orm.selectinload(Question.bank))
    return {q.id: q for q in db.session.scalars(query)}


def _localised(question: Question, language: str) -> tuple[dict, str | None]:
    """The question in `language` where its bank has a translation; and that translation's status."""
    text = dict(question.data)
    translation = (question.bank.translations or {}).get(language, {})
    tr = translation.get("questions", {}).get(question.key)
    if tr:
        text["prompt"] = tr.get("prompt") or text["prompt"]
        text["explanation"] = tr.get("explanation") or text["explanation"]
        names = tr.get("options") or {}
        text["options"] = [{"id": o["id"], "text": names.get(o["id"], o["text"])} for o in text.get("options", [])]
        return text, translation.get("status")
    return text, None


def _pass_mark(attempt: QuizAttempt) -> int | None:
    """A module quiz's pass mark, or a refresher test's; the pre-test and post-test have none."""
    if attempt.kind == REFRESHER:
        return refresher_pass_mark(db.session.get(Course, attempt.course_id))
    if attempt.kind != "module":
        return None
    return db.session.scalar(sa.select(QuestionBank.pass_mark).filter_by(id=attempt.bank_id))


TRUE_FALSE_VALUES = ("true", "false")


def quiz_form_view(attempt: QuizAttempt) -> dict:
    """What the quiz page shows: prompts and options, never answers or explanations."""
    questions = _questions_of(attempt)
    items = []
    draft = False
    for number, entry in enumerate(attempt.drawn, start=1):
        q = questions[entry["question_id"]]
        text, status = _localised(q, attempt.language)
        draft = draft or status == "draft"
        by_id = {o["id"]: o["text"] for o in text.get("options", [])}
        if q.type == "true_false":
            options = [("true", None), ("false", None)]
        else:
            # Values are positions as shown, so nothing in the page reveals the author's option ids.
            options = [(str(pos), by_id[oid]) for pos, oid in enumerate(entry["order"], start=1)]
        items.append({"field": f"q-{q.id}", "number": number, "type": q.type, "prompt": text["prompt"],
                      "options": options})
    return {"questions": items, "draft_translation": draft, "pass_mark": _pass_mark(attempt)}


def _parse_answers(attempt: QuizAttempt, questions: dict[int, Question], form: Mapping[str, list[str]]):
    drawn = {e["question_id"]: e for e in attempt.drawn}
    chosen: dict[int, list[str]] = {}
    for field, values in form.items():
        if not field.startswith("q-"):
            continue
        try:
            qid = int(field[2:])
        except ValueError:
            raise QuizRejected(_l("The quiz form contains an unknown field (%(field)s); nothing was recorded.",
                                  field=field)) from None
        if qid not in drawn:
            raise QuizRejected(_l("The quiz form contains an answer to a question that was not drawn; nothing was recorded."))
        q = questions[qid]
        allowed = TRUE_FALSE_VALUES if q.type == "true_false" else [str(i) for i in range(1, len(drawn[qid]["order"]) + 1)]
        values = [v for v in values if v != ""]
        if any(v not in allowed for v in values) or len(set(values)) != len(values):
            raise QuizRejected(_l("The quiz form contains an answer that is not one of the options; nothing was recorded."))
        if q.type != "multiple" and len(values) > 1:
            raise QuizRejected(_l("The quiz form gives several answers to a single-answer question; nothing was recorded."))
        if values:
            chosen[qid] = values
    return chosen


def submit_quiz(user: User, token: str, form: Mapping[str, list[str]]) -> QuizAttempt:
    """Grade a submitted quiz once. Tampered, replayed or foreign submissions change nothing."""
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token or "", user_id=user.id))
    if attempt is None:
        raise QuizRejected(_l("This quiz attempt is unknown; nothing was recorded."), 404)
    if attempt.submitted_at is not None:
        raise QuizRejected(_l("This quiz attempt has already been submitted; it was not recorded again."), 409)
    questions = _questions_of(attempt)
    chosen = _parse_answers(attempt, questions, form)
    if len(chosen) < len(attempt.drawn):
        missing = [str(n) for n, e in enumerate(attempt.drawn, start=1) if e["question_id"] not in chosen]
        raise QuizIncomplete(ngettext("Please answer question %(numbers)s before submitting.",
                                      "Please answer questions %(numbers)s before submitting.",
                                      len(missing), numbers=", ".join(missing)), chosen)
    pass_mark = _pass_mark(attempt)
    answers: dict[str, object] = {}
    correct = 0
    graded: list[tuple[Question, object, int]] = []
    for entry in attempt.drawn:
        q = questions[entry["question_id"]]
        values = chosen[q.id]
        if q.type == "true_false":
            given: object = values[0] == "true"
            right = given == q.data["answer"]
        else:
            given = sorted(entry["order"][int(v) - 1] for v in values)
            key = q.data["answer"]
            right = given == (sorted(key) if isinstance(key, list) else [key])
        answers[str(q.id)] = given
        correct += int(right)
        graded.append((q, given, int(right)))
    total = len(attempt.drawn)
    passed = None if pass_mark is None else correct * 100 >= pass_mark * total
    now = utcnow()
    # Conditional update: of two racing submissions of one attempt, exactly one is recorded.
    result = db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, answers=answers, correct_count=correct,
                score_percent=round(100 * correct / total), passed=passed)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise QuizRejected(_l("This quiz attempt has already been submitted; it was not recorded again."), 409)
    db.session.refresh(attempt)
    _record_answers(attempt, user, graded)
    if passed and attempt.kind == "module":
        progress = db.session.scalar(
            sa.select(ModuleProgress).filter_by(user_id=user.id, module_version_id=attempt.module_version_id)
        )
        if progress is not None:
            if progress.quiz_passed_at is None:
                progress.quiz_passed_at = now
            _complete_if_done(progress)
    if passed and attempt.kind == REFRESHER:
        progress_rules.renew_course_if_due(user, db.session.get(Course, attempt.course_id))
    return attempt


def _chosen_mask(question: Question, given: object) -> int:
    if question.type == "true_false":
        return 1 if given is True else 2
    ids = [o["id"] for o in question.data.get("options", [])]
    return sum(1 << ids.index(oid) for oid in given if oid in ids)


def _record_answers(attempt: QuizAttempt, user: User, graded: list[tuple[Question, object, int]]) -> None:
    """One AttemptAnswer row per graded question (item statistics read only these)."""
    total = sum(right for _q, _g, right in graded)
    others = len(graded) - 1
    db.session.add_all(
        AttemptAnswer(
            attempt_id=attempt.id, user_id=user.id, question_id=q.id, bank_id=q.bank_id, module_id=q.bank.module_id,
            kind=attempt.kind, language=attempt.language, country_code=user.country_code, correct=right,
            rest_score=(total - right) / others if others else None, chosen_mask=_chosen_mask(q, given),
        )
        for q, given, right in graded
    )
    db.session.flush()


def attempt_for(user: User, token: str) -> QuizAttempt:
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token, user_id=user.id))
    if attempt is None or attempt.submitted_at is None:
        raise LearningError(_l("No such quiz result."), 404)
    return attempt


def result_view(attempt: QuizAttempt) -> dict:
    """A submitted attempt with what was chosen, what was right, and the explanations."""
    questions = _questions_of(attempt)
    items = []
    for number, entry in enumerate(attempt.drawn, start=1):
        q = questions[entry["question_id"]]
        text, _status = _localised(q, attempt.language)
        given = attempt.answers.get(str(q.id))
        key = q.data["answer"]
        if q.type == "true_false":
            options = [{"text": None, "value": v, "chosen": given is v, "correct": key is v} for v in (True, False)]
            right = given == key
        else:
            by_id = {o["id"]: o["text"] for o in text["options"]}
            keys = set(key) if isinstance(key, list) else {key}
            options = [{"text": by_id[oid], "value": None, "chosen": oid in given, "correct": oid in keys}
                       for oid in entry["order"]]
            right = set(given) == keys
        section = q.data.get("section_index")
        items.append({"number": number, "type": q.type, "prompt": text["prompt"], "options": options,
                      "right": right, "explanation": text["explanation"],
                      "section": None if right or section is None else section + 1})
    return {"questions": items, "pass_mark": _pass_mark(attempt)}


def attempts_of(user: User, module: Module) -> list[QuizAttempt]:
    return list(db.session.scalars(
        sa.select(QuizAttempt).filter(QuizAttempt.user_id == user.id, QuizAttempt.module_id == module.id,
                                      QuizAttempt.kind == "module", QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc())
    ))


def attempt_for_form(user: User, token: str) -> QuizAttempt:
    """An open attempt of this trainee, to show its form again."""
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token, user_id=user.id, submitted_at=None))
    if attempt is None:
        raise LearningError(_l("No such quiz attempt."), 404)
    return attempt
