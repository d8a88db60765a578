"""Reading a module and answering its quiz through the real pages, as a trainee would."""

import re

import sqlalchemy as sa

from app.curriculum.models import Question
from app.extensions import db
from app.learning.models import QuizAttempt
from tests.conftest import csrf_from

ATTEMPT_RE = re.compile(r'name="attempt" type="hidden" value="([^"]+)"|id="attempt" name="attempt" type="hidden" value="([^"]+)"')


def read_all_sections(client, slug: str, count: int) -> None:
    for number in range(1, count + 1):
        page = client.get(f"/learn/modules/{slug}/sections/{number}")
        if page.status_code == 302 and page.headers["Location"].endswith("/start"):
            skip_pre_test(client, page.headers["Location"])
            page = client.get(f"/learn/modules/{slug}/sections/{number}")
        assert page.status_code == 200, (number, page.status_code)
        client.post(f"/learn/modules/{slug}/sections/{number}/read", data={"csrf_token": csrf_from(page.text)})


def skip_pre_test(client, start_url: str) -> None:
    """Answer the course's start page as a trainee who skips the pre-test."""
    choice = client.get(start_url)
    assert choice.status_code == 200, choice.status_code
    action = re.search(r'action="([^"]+/pre-test/skip)"', choice.text)
    assert action, "no skip button on the course's start page"
    client.post(action.group(1), data={"csrf_token": csrf_from(choice.text)})


def begin(client, slug: str) -> None:
    """Open a module as a trainee who, asked about the course's pre-test first, skips it."""
    page = client.get(f"/learn/modules/{slug}")
    if page.status_code == 302 and page.headers["Location"].endswith("/start"):
        skip_pre_test(client, page.headers["Location"])


def open_quiz(client, slug: str):
    """Open a module's quiz as the pages do: GET shows the start page (nothing recorded), its POST starts
    the attempt, and the quiz page follows. Returns the quiz page's response (or the refusal)."""
    page = client.get(f"/learn/modules/{slug}/quiz")
    if page.status_code != 200 or 'name="attempt"' in page.text:
        return page
    return client.post(f"/learn/modules/{slug}/quiz/start", data={"csrf_token": csrf_from(page.text)},
                       follow_redirects=True)


def open_course_test(client, course_id: int, which: str):
    """Open a course's pre-test or post-test as the pages do (the start or choice page, then its POST)."""
    page = client.get(f"/learn/courses/{course_id}/{which}", follow_redirects=True)
    if page.status_code != 200 or 'name="attempt"' in page.text:
        return page
    return client.post(f"/learn/courses/{course_id}/{which}/start", data={"csrf_token": csrf_from(page.text)},
                       follow_redirects=True)


def attempt_token(html: str) -> str:
    match = re.search(r'name="attempt"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="attempt"', html)
    assert match, "no attempt token in the quiz page"
    return match.group(1)


def answer_form(app, token: str, *, right: bool | list[bool] = True) -> dict:
    """Form fields answering every drawn question, right or wrong as asked, using the server's key."""
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
        questions = {q.id: q for q in db.session.scalars(
            sa.select(Question).filter(Question.id.in_([e["question_id"] for e in attempt.drawn])))}
        form: dict[str, list[str]] = {}
        for index, entry in enumerate(attempt.drawn):
            want_right = right[index] if isinstance(right, list) else right
            q = questions[entry["question_id"]]
            key = q.data["answer"]
            if q.type == "true_false":
                value = key if want_right else not key
                form[f"q-{q.id}"] = ["true" if value else "false"]
                continue
            keys = set(key) if isinstance(key, list) else {key}
            positions = {oid: str(pos) for pos, oid in enumerate(entry["order"], start=1)}
            if want_right:
                form[f"q-{q.id}"] = [positions[oid] for oid in entry["order"] if oid in keys]
            else:
                wrong = [oid for oid in entry["order"] if oid not in keys]
                # Every option is right (a multiple-response question may have all correct): leave one out.
                form[f"q-{q.id}"] = [positions[wrong[0]]] if wrong else \
                    [positions[oid] for oid in entry["order"] if oid in keys][1:]
        return form


def submit(client, slug: str, token: str, csrf: str, form: dict):
    data = {"csrf_token": csrf, "attempt": token, **form}
    return client.post(f"/learn/modules/{slug}/quiz", data=data)
