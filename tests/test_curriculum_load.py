"""`flask curricula load`: versions, keeping progress, all-or-nothing."""

import sqlalchemy as sa

from app.auth.models import User
from app.curriculum.models import Module, ModuleRendition, ModuleVersion, QuestionBank
from app.extensions import db
from app.learning import services
from app.learning.models import ModuleProgress
from tests.factories import create_test_user

SLUG = "police-01-basics"


def load(app, tree):
    return app.test_cli_runner().invoke(args=[
        "curricula", "load", "--curricula", str(tree / "curricula"), "--assessments", str(tree / "assessments")])


def test_load_then_reload_unchanged_creates_nothing_new(scratch_app, mini_copy):
    first = load(scratch_app, mini_copy)
    assert first.exit_code == 0, first.output
    assert "1 new module versions" in first.output and "renditions: 6 written" in first.output
    second = load(scratch_app, mini_copy)
    assert "0 new module versions, 1 unchanged" in second.output and "6 unchanged" in second.output
    with scratch_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ModuleVersion.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(QuestionBank.id))) == 1


def test_changed_module_gets_a_new_version_and_progress_on_the_old_one_stays(scratch_app, mini_copy):
    assert load(scratch_app, mini_copy).exit_code == 0
    with scratch_app.app_context():
        uid = create_test_user(email="old@example.org")["id"]
        user = db.session.get(User, uid)
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        services.record_section_read(user, module, 0)
        services.record_section_read(user, module, 1)
        db.session.commit()
        v1 = module.current_version_id
    path = mini_copy / "curricula/police/01-basics.md"
    path.write_text(path.read_text("utf-8").replace("The first section text.", "The revised first section.")
                    .replace("version: 1", "version: 2"), "utf-8")
    result = load(scratch_app, mini_copy)
    assert "new version: police-01-basics v2" in result.output
    with scratch_app.app_context():
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        assert module.current_version_id != v1
        old_user = db.session.get(User, uid)
        progress = db.session.scalar(sa.select(ModuleProgress).filter_by(user_id=uid))
        assert progress.module_version_id == v1 and progress.furthest_section == 1
        assert services.version_for(old_user, module).id == v1
        old_text = services.rendition_for(old_user, services.version_for(old_user, module))
        assert "The first section text." in old_text["sections"][0]["html"]
        new_uid = create_test_user(email="new@example.org")["id"]
        new_user = db.session.get(User, new_uid)
        new_text = services.rendition_for(new_user, services.version_for(new_user, module))
        assert "The revised first section." in new_text["sections"][0]["html"]
        # Renditions of the old version stay for those still reading it.
        assert db.session.scalar(sa.select(sa.func.count(ModuleRendition.id)).filter_by(module_version_id=v1)) == 6


def test_changed_bank_becomes_a_new_bank_and_old_attempts_keep_their_questions(scratch_app, mini_copy):
    assert load(scratch_app, mini_copy).exit_code == 0
    with scratch_app.app_context():
        user = db.session.get(User, create_test_user(email="q@example.org", country="RS")["id"])
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        for index in range(3):
            services.record_section_read(user, module, index)
        attempt = services.start_quiz(user, module)
        form = {f"q-{e['question_id']}": ["1"] if e["order"] else ["true"] for e in attempt.drawn}
        services.submit_quiz(user, attempt.token, form)
        db.session.commit()
        old_bank, token = module.current_bank_id, attempt.token
    bank = mini_copy / "assessments/police/police-01-basics.yml"
    bank.write_text(bank.read_text("utf-8").replace("Which is an act?", "Which of these is an act?"), "utf-8")
    assert "1 new question banks" in load(scratch_app, mini_copy).output
    with scratch_app.app_context():
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        assert module.current_bank_id != old_bank
        user = db.session.scalar(sa.select(User).filter_by(email="q@example.org"))
        view = services.result_view(services.attempt_for(user, token))
        assert "Which is an act?" in [q["prompt"] for q in view["questions"]]


def test_invalid_tree_loads_nothing(scratch_app, mini_copy):
    bank = mini_copy / "assessments/police/police-01-basics.yml"
    bank.write_text(bank.read_text("utf-8").replace("    answer: a\n", "    answer: z\n"), "utf-8")
    result = load(scratch_app, mini_copy)
    assert result.exit_code == 1
    assert "assessments/police/police-01-basics.yml:12: answer 'z' points to no option" in result.output
    assert "nothing was loaded" in result.output
    with scratch_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Module.id))) == 0


def test_removed_module_is_retired_not_deleted(scratch_app, mini_copy):
    assert load(scratch_app, mini_copy).exit_code == 0
    extra = mini_copy / "curricula/police/02-extra.md"
    extra.write_text((mini_copy / "curricula/police/01-basics.md").read_text("utf-8")
                     .replace("police-01-basics", "police-02-extra").replace("order: 1", "order: 2"), "utf-8")
    (mini_copy / "assessments/police/police-02-extra.yml").write_text(
        (mini_copy / "assessments/police/police-01-basics.yml").read_text("utf-8").replace("police-01-basics", "police-02-extra"),
        "utf-8")
    guide = mini_copy / "curricula/police/guides/police-02-extra.md"
    guide.write_text((mini_copy / "curricula/police/guides/police-01-basics.md").read_text("utf-8")
                     .replace("police-01-basics", "police-02-extra"), "utf-8")
    assert load(scratch_app, mini_copy).exit_code == 0
    extra.unlink()
    guide.unlink()
    (mini_copy / "assessments/police/police-02-extra.yml").unlink()
    result = load(scratch_app, mini_copy)
    assert "retired (file removed): police-02-extra" in result.output
    with scratch_app.app_context():
        module = db.session.scalar(sa.select(Module).filter_by(slug="police-02-extra"))
        assert module.retired is True
        assert [m.slug for m in module.course.modules] == [SLUG]


def test_a_trainee_on_an_older_version_reads_todays_national_passage(scratch_app, mini_copy):
    """A changed national passage reaches readers of every version, not only the current one."""
    assert load(scratch_app, mini_copy).exit_code == 0
    with scratch_app.app_context():
        uid = create_test_user(email="old.reader@example.org", country="AL")["id"]
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        services.record_section_read(db.session.get(User, uid), module, 0)
        db.session.commit()
        v1 = module.current_version_id
    module_file = mini_copy / "curricula/police/01-basics.md"
    module_file.write_text(module_file.read_text("utf-8").replace("The first section text.", "Revised.")
                           .replace("version: 1", "version: 2"), "utf-8")
    assert load(scratch_app, mini_copy).exit_code == 0
    passage = mini_copy / "curricula/police/national/al/police-01-basics.md"
    passage.write_text(passage.read_text("utf-8").replace("ALBANIAN NATIONAL PASSAGE", "CURRENT ALBANIAN LAW"), "utf-8")
    result = load(scratch_app, mini_copy)
    assert result.exit_code == 0, result.output
    with scratch_app.app_context():
        user = db.session.get(User, uid)
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        version = services.version_for(user, module)
        assert version.id == v1 != module.current_version_id  # still on the version they started
        html = "".join(s["html"] for s in services.rendition_for(user, version)["sections"])
        assert "CURRENT ALBANIAN LAW" in html
        assert "The first section text." in html  # and still the text of their own version
