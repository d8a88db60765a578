"""The shipped curriculum: structure that matters to trainees, and that it loads for every country."""

import sqlalchemy as sa

from app.curriculum.models import Country, Module, ModuleRendition
from app.curriculum.tree import PRONGS, read_curriculum
from app.extensions import db
from tests.conftest import REAL_ASSESSMENTS, REAL_CURRICULA


def tree():
    return read_curriculum(REAL_CURRICULA, REAL_ASSESSMENTS)


def test_every_prong_has_a_course_with_at_least_two_modules():
    cur = tree()
    for prong in PRONGS:
        assert prong in cur.courses, prong
        assert len(cur.modules_of(prong)) >= 2, prong


def test_every_module_has_objectives_sources_sections_and_a_question_bank_with_explanations():
    cur = tree()
    for module in cur.modules.values():
        assert module.objectives and module.sources, module.path
        assert len(module.body.sections) >= 2, module.path
        bank = cur.banks[module.id]
        assert len(bank.questions) >= bank.draw, bank.path
        assert all(q.explanation.strip() for q in bank.questions), bank.path
        assert {q.type for q in bank.questions} == {"single", "multiple", "true_false"}, bank.path


def test_every_legal_fact_in_a_profile_has_a_source_and_a_verified_flag():
    cur = tree()
    assert len(cur.profiles) >= 3
    for profile in cur.profiles.values():
        assert profile.legal_references, profile.path
        for ref in profile.legal_references.values():
            assert ref.source.strip() and isinstance(ref.verified, bool), (profile.path, ref.key)


def test_every_module_is_rendered_for_every_country(real_app):
    with real_app.app_context():
        countries = set(db.session.scalars(sa.select(Country.code)))
        for module in db.session.scalars(sa.select(Module).filter_by(retired=False)):
            rendered = set(db.session.scalars(sa.select(ModuleRendition.country_code).filter_by(
                module_version_id=module.current_version_id, language="en")))
            assert rendered == countries, module.slug
