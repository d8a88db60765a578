"""The evaluation rules: who may answer what, when the follow-up goes out, and the protected aggregates.

Small-number protection is the platform's one method (app/foundation/disclosure.py, cell-key): every count
of respondents (and every count in a distribution) is perturbed by the record keys of the people it counts,
a course's figures are withheld when its published number of respondents is 1 to threshold - 1, and a mean
is moved by a second reading of the same cell key. Nothing is ever given per person.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import mail
from app.auth.models import User
from app.coverage import services as coverage
from app.coverage.services import Scope
from app.curriculum.models import Course, Module
from app.extensions import db
from app.foundation import disclosure
from app.foundation.errors import ServiceError
from app.foundation.roles import Role
from app.learning.models import AttemptAnswer, CourseProgress, QuizAttempt
from app.learning.progress import add_months
from app.mail.services import external_url
from app.utils import utcnow

from .models import FollowUp, ReactionResponse
from .questions import FREQUENCY, IDENTIFIED, LIKERT, REACTION_KEYS, REFERRALS

#: The one reminder of an unanswered follow-up goes this many days after the invitation.
REMINDER_AFTER_DAYS = 10
#: A completion whose follow-up fell due longer ago than this is not invited any more (a course that sets
#: follow_up_months later does not write to everyone who ever completed it).
INVITE_WINDOW_DAYS = 60
#: Means of 1-5 items are moved by up to ±2 × this (±0.1) from the cell key.
LIKERT_MEAN_SCALE = 0.05
MAX_COMMENT = 2000


class EvaluationError(ServiceError):
    """A questionnaire refused; the message says why."""

    status = 409


# --- the trainee's side ----------------------------------------------------------------------------


def completion(user: User, course: Course) -> CourseProgress | None:
    """The user's completion of the course, or None."""
    return db.session.scalar(sa.select(CourseProgress).where(
        CourseProgress.user_id == user.id, CourseProgress.course_id == course.id,
        CourseProgress.completed_at.is_not(None)))


def reaction_of(user: User, progress: CourseProgress) -> ReactionResponse | None:
    return db.session.scalar(sa.select(ReactionResponse).filter_by(
        user_id=user.id, course_id=progress.course_id, completed_at=progress.completed_at))


def submit_reaction(user: User, course: Course, answers: dict, comment: str | None) -> ReactionResponse:
    """Record the reaction questionnaire of the user's completion (once; only adds)."""
    progress = completion(user, course)
    if progress is None:
        raise EvaluationError(_l("The questionnaire opens once you have completed the course."))
    if reaction_of(user, progress) is not None:
        raise EvaluationError(_l("You have already answered this questionnaire. Thank you."))
    clean = {key: int(answers[key]) for key in REACTION_KEYS
             if answers.get(key) not in (None, "") and str(answers[key]).isdigit() and 1 <= int(answers[key]) <= 5}
    if not clean and not (comment or "").strip():
        raise EvaluationError(_l("Answer at least one question."), status=400)
    row = ReactionResponse(user_id=user.id, course_id=course.id, completed_at=progress.completed_at, answers=clean,
                           comment=(comment or "").strip()[:MAX_COMMENT] or None)
    db.session.add(row)
    db.session.flush()
    return row


def follow_up_of(user: User, follow_up_id: int) -> FollowUp | None:
    """The user's own follow-up with this id; None for anyone else's (the caller answers 404)."""
    row = db.session.get(FollowUp, follow_up_id)
    return row if row is not None and row.user_id == user.id else None


def submit_follow_up(user: User, row: FollowUp, *, identified: str | None, referred: list[str],
                     frequency: str | None, obstacles: str | None) -> None:
    """Record the answer to a follow-up (once; guarded so that two submissions cannot both count)."""
    if row.user_id != user.id:
        raise EvaluationError(_l("This questionnaire is not yours."), status=404)
    valid_referrals = {k for k, _l_ in REFERRALS}
    values = {
        "identified": identified if identified in {k for k, _x in IDENTIFIED} else None,
        "referred": [r for r in dict.fromkeys(referred or []) if r in valid_referrals] or None,
        "frequency": frequency if frequency in {k for k, _x in FREQUENCY} else None,
        "obstacles": (obstacles or "").strip()[:MAX_COMMENT] or None,
        "answered_at": utcnow(),
    }
    result = db.session.execute(sa.update(FollowUp).where(FollowUp.id == row.id, FollowUp.answered_at.is_(None))
                                .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise EvaluationError(_l("You have already answered this questionnaire. Thank you."))
    db.session.refresh(row)


def open_follow_ups(user: User) -> list[FollowUp]:
    return list(db.session.scalars(sa.select(FollowUp).where(FollowUp.user_id == user.id,
                                                             FollowUp.answered_at.is_(None)).order_by(FollowUp.id)))


# --- sending the follow-ups ------------------------------------------------------------------------


def due_follow_ups(as_of: date) -> list[tuple[CourseProgress, Course, User]]:
    """Completions whose follow-up is due on `as_of` (interval reached, within the window) and not yet invited."""
    rows = db.session.execute(
        sa.select(CourseProgress, Course, User)
        .join(Course, Course.id == CourseProgress.course_id)
        .join(User, User.id == CourseProgress.user_id)
        .where(Course.follow_up_months.is_not(None), CourseProgress.completed_at.is_not(None),
               User.role == Role.TRAINEE.value, User.active.is_(True))
        .order_by(CourseProgress.id)
    ).all()
    invited = set(db.session.execute(sa.select(FollowUp.user_id, FollowUp.course_id, FollowUp.completed_at)).all())
    due = []
    for progress, course, user in rows:
        on = add_months(progress.completed_at.date(), course.follow_up_months)
        if on <= as_of and (as_of - on).days <= INVITE_WINDOW_DAYS \
                and (user.id, course.id, progress.completed_at) not in invited:
            due.append((progress, course, user))
    return due


def _queue(row: FollowUp, user: User, course: Course, template: str) -> None:
    # The link opens the questionnaire after signing in as its trainee: it carries no secret.
    mail.queue(to=user.email, language=user.language, template=template, kind=template,
               key=f"{template}:{row.id}", user=user, course_title=course.text_in(user.language)["title"],
               link=external_url("evaluation.follow_up", follow_up_id=row.id))


def send_follow_ups(as_of: date) -> dict[str, int]:
    """Queue the invitations due on `as_of` and the one reminder of each unanswered follow-up (only adds)."""
    counts = {"invitations": 0, "reminders": 0}
    for progress, course, user in due_follow_ups(as_of):
        row = FollowUp(user_id=user.id, course_id=course.id, completed_at=progress.completed_at, invited_on=as_of)
        db.session.add(row)
        db.session.flush()
        _queue(row, user, course, "follow_up")
        counts["invitations"] += 1
    pending = db.session.execute(
        sa.select(FollowUp, Course, User).join(Course, Course.id == FollowUp.course_id)
        .join(User, User.id == FollowUp.user_id)
        .where(FollowUp.answered_at.is_(None), FollowUp.reminded_on.is_(None),
               FollowUp.invited_on <= as_of - timedelta(days=REMINDER_AFTER_DAYS), User.active.is_(True))
        .order_by(FollowUp.id)).all()
    for row, course, user in pending:
        row.reminded_on = as_of
        _queue(row, user, course, "follow_up_reminder")
        counts["reminders"] += 1
    db.session.flush()
    return counts


# --- aggregates --------------------------------------------------------------------------------------


def _in_scope(query, scope: Scope):
    if scope.countries is not None:
        query = query.where(User.country_code.in_(sorted(scope.countries)))
    if scope.academy_id is not None:
        query = query.where(User.academy_id == scope.academy_id)
    return query


def _count(people: list[tuple[int, int]]) -> int:
    """The published count of (user id, record key) people."""
    unique = dict(people)
    return disclosure.perturb(len(unique), sum(unique.values()))


def _distribution(values: list[tuple[int, int, object]], choices) -> dict:
    """{choice: published count} from (user id, record key, value) rows."""
    return {key: _count([(u, k) for u, k, v in values if v == key]) for key in choices}


def _mean(values: list[tuple[int, int, int]], offset: int) -> float | None:
    if not values:
        return None
    mean = sum(v for _u, _k, v in values) / len(values)
    keys = sum(k for _u, k, _v in values) + offset
    return round(disclosure.perturb_mean(mean, keys, LIKERT_MEAN_SCALE, low=1.0, high=5.0), 2)


def courses() -> list[Course]:
    return list(db.session.scalars(sa.select(Course).order_by(Course.id)))


def aggregates(scope: Scope, threshold: int = disclosure.DEFAULT_THRESHOLD, *,
               comments_for: User | None = None) -> list[dict]:
    """Per course, in `scope`: reaction respondents, mean and distribution per item; follow-up respondents and
    the distribution of each answer. A course whose published respondents are fewer than `threshold` shows
    nothing but that it is withheld. Comments only for `comments_for`, an academy administrator, and only
    of their academy's trainees (the scope is then that academy), above the threshold."""
    reactions = db.session.execute(_in_scope(
        sa.select(ReactionResponse.course_id, User.id, User.record_key, ReactionResponse.answers,
                  ReactionResponse.comment).join(User, User.id == ReactionResponse.user_id), scope)).all()
    follow_ups = db.session.execute(_in_scope(
        sa.select(FollowUp.course_id, User.id, User.record_key, FollowUp.identified, FollowUp.referred,
                  FollowUp.frequency, FollowUp.obstacles).join(User, User.id == FollowUp.user_id)
        .where(FollowUp.answered_at.is_not(None)), scope)).all()
    by_course_r, by_course_f = defaultdict(list), defaultdict(list)
    for row in reactions:
        by_course_r[row[0]].append(row)
    for row in follow_ups:
        by_course_f[row[0]].append(row)
    may_read_comments = (comments_for is not None and comments_for.role == Role.ACADEMY_ADMIN.value
                         and scope.academy_id is not None and scope.academy_id == comments_for.academy_id)
    out = []
    for course in courses():
        rs, fs = by_course_r.get(course.id, []), by_course_f.get(course.id, [])
        out.append({"course": course.prong, "title": course.title,
                    "reaction": _reaction_cell(rs, threshold, may_read_comments),
                    "follow_up": _follow_up_cell(fs, threshold, may_read_comments)})
    return out


def _reaction_cell(rows, threshold: int, with_comments: bool) -> dict:
    respondents = _count([(u, k) for _c, u, k, *_r in rows])
    shown = respondents >= threshold
    cell = {"respondents": respondents if shown else None, "suppressed": disclosure.withheld(respondents, threshold),
            "items": None, "comments": None}
    if not shown:
        return cell
    items = []
    for index, key in enumerate(REACTION_KEYS):
        values = [(u, k, answers[key]) for _c, u, k, answers, _cm in rows if isinstance(answers, dict)
                  and isinstance(answers.get(key), int)]
        answered = _count([(u, k) for u, k, _v in values])
        item_shown = answered >= threshold
        items.append({"item": key, "answered": answered if item_shown else None,
                      "mean": _mean(values, index + 1) if item_shown else None,
                      "distribution": {str(v): n for v, n in _distribution(values, [v for v, _x in LIKERT]).items()}
                      if item_shown else None})
    cell["items"] = items
    if with_comments:
        cell["comments"] = sorted(cm for *_x, cm in rows if cm)
    return cell


def _follow_up_cell(rows, threshold: int, with_comments: bool) -> dict:
    respondents = _count([(u, k) for _c, u, k, *_r in rows])
    shown = respondents >= threshold
    cell = {"respondents": respondents if shown else None, "suppressed": disclosure.withheld(respondents, threshold),
            "identified": None, "referred": None, "frequency": None, "obstacles": None}
    if not shown:
        return cell
    cell["identified"] = _distribution([(u, k, i) for _c, u, k, i, *_r in rows], [k for k, _x in IDENTIFIED])
    referred = [(u, k, choice) for _c, u, k, _i, refs, *_r in rows for choice in (refs or [])]
    cell["referred"] = _distribution(referred, [k for k, _x in REFERRALS])
    cell["frequency"] = _distribution([(u, k, f) for _c, u, k, _i, _r, f, _o in rows], [k for k, _x in FREQUENCY])
    if with_comments:
        cell["obstacles"] = sorted(o for *_x, o in rows if o)
    return cell


# --- knowledge gain per course and per module -------------------------------------------------------


def knowledge_gain(scope: Scope, as_of: date, threshold: int = disclosure.DEFAULT_THRESHOLD) -> list[dict]:
    """Per course and per module, over the trainees in `scope` who took both the pre-test and the post-test
    of the course by `as_of` (docs/coverage.md, "Knowledge gain per course and module"):

    - course: mean post-test score minus mean pre-test score (percent): the dashboard's figure, read from
      `coverage.services.knowledge_gain`;
    - module: per person, the share of that module's questions answered right in the pre-test and in the
      post-test (the tests draw from every module's bank, so each has some of a module's questions); the
      means over the people who had questions of the module in both tests.

    People are counted with the cell-key perturbation and a group withheld under the threshold; each mean
    moved by up to ±2 points read from the same cell key."""
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    attempts = db.session.execute(_in_scope(
        sa.select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.course_id, QuizAttempt.kind,
                  QuizAttempt.score_percent, User.record_key)
        .join(User, User.id == QuizAttempt.user_id)
        .where(QuizAttempt.kind.in_(("pre_test", "post_test")), QuizAttempt.submitted_at.is_not(None),
               QuizAttempt.submitted_at < end, User.role == Role.TRAINEE.value), scope)).all()
    tests: dict[tuple[int, int], dict] = defaultdict(dict)  # (course, user) -> kind -> (attempt, score, key)
    for attempt_id, user_id, course_id, kind, score, key in attempts:
        tests[(course_id, user_id)][kind] = (attempt_id, score or 0, key)
    both = {cu: t for cu, t in tests.items() if "pre_test" in t and "post_test" in t}
    attempt_ids = [t[kind][0] for t in both.values() for kind in ("pre_test", "post_test")]
    per_module: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0])  # (attempt,module) -> right,n
    for start in range(0, len(attempt_ids), 500):
        for attempt_id, module_id, right, n in db.session.execute(
                sa.select(AttemptAnswer.attempt_id, AttemptAnswer.module_id, sa.func.sum(AttemptAnswer.correct),
                          sa.func.count()).where(AttemptAnswer.attempt_id.in_(attempt_ids[start:start + 500]))
                .group_by(AttemptAnswer.attempt_id, AttemptAnswer.module_id)):
            per_module[(attempt_id, module_id)] = [int(right or 0), int(n)]
    # Per course: the dashboard's figure, from the one place it is defined.
    by_course = {g["prong"]: g for g in coverage.knowledge_gain(coverage.Query(as_of), scope, threshold)}
    out = []
    for course in courses():
        people = [(u, t) for (c, u), t in sorted(both.items()) if c == course.id]
        figures = by_course.get(course.prong) or _gain([], threshold)
        row = {"course": course.prong, "title": course.title,
               **{k: figures[k] for k in ("people", "suppressed", "pre", "post", "gain")}, "modules": []}
        for module in db.session.scalars(sa.select(Module).where(Module.course_id == course.id,
                                                                 Module.retired.is_(False)).order_by(Module.position)):
            shares = []
            for u, t in people:
                pre, post = per_module.get((t["pre_test"][0], module.id)), per_module.get((t["post_test"][0], module.id))
                if pre and post and pre[1] and post[1]:
                    shares.append((u, t["pre_test"][2], 100 * pre[0] / pre[1], 100 * post[0] / post[1]))
            row["modules"].append({"module": module.slug, **_gain(shares, threshold)})
        out.append(row)
    return out


def _gain(values: list[tuple[int, int, float, float]], threshold: int) -> dict:
    keys = sum(k for _u, k, _a, _b in values)
    published = disclosure.perturb(len(values), keys)
    shown = published >= threshold
    if not shown:
        return {"people": None, "suppressed": disclosure.withheld(published, threshold), "pre": None, "post": None,
                "gain": None}
    pre = disclosure.perturb_mean(sum(a for _u, _k, a, _b in values) / len(values), keys, low=0.0, high=100.0)
    post = disclosure.perturb_mean(sum(b for _u, _k, _a, b in values) / len(values), keys + 1, low=0.0, high=100.0)
    return {"people": published, "suppressed": False, "pre": round(pre, 1), "post": round(post, 1),
            "gain": round(post - pre, 1)}
