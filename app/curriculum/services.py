"""Read-side queries on the stored curriculum, for the catalogue staff browse."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db

from .models import Country, Course, Module, ModuleGuide, ModuleRendition, ModuleVersion, Question
from .tree import BASE_LANGUAGE


def catalogue() -> list[dict]:
    """Every course with its modules, current version and question count."""
    question_counts = dict(db.session.execute(
        sa.select(Module.id, sa.func.count(Question.id))
        .join(Question, Question.bank_id == Module.current_bank_id).group_by(Module.id)
    ).all())
    courses = db.session.scalars(sa.select(Course).order_by(Course.id)).all()
    return [
        {"course": c, "modules": [(m, m.current_version, question_counts.get(m.id, 0)) for m in c.modules]}
        for c in courses
    ]


def preview(slug: str, country: str, language: str) -> tuple[Module, ModuleVersion, dict] | None:
    """The current version of a module as a trainee of `country` reading `language` would see it."""
    module = db.session.scalar(sa.select(Module).filter_by(slug=slug))
    if module is None or module.current_version_id is None:
        return None
    for lang in dict.fromkeys((language, "en")):
        content = db.session.scalar(sa.select(ModuleRendition.content).filter_by(
            module_version_id=module.current_version_id, country_code=country, language=lang))
        if content is not None:
            return module, module.current_version, content
    return None


def reading_languages(country: Country | None, language: str) -> list[str]:
    """The languages a reader of `language` in `country` reads a text in, in order of preference: their
    own, then the country profile's fallback chain (e.g. Bosnia and Herzegovina: Bosnian, Croatian,
    Serbian), then English. The one rule for every text a trainee reads (modules, titles, quizzes)."""
    if language == BASE_LANGUAGE:
        return [BASE_LANGUAGE]  # English is the base text: always there, so nothing comes after it
    chain = [language, language.split("_")[0]]  # a script variant (sr_Cyrl) reads its language (sr) next
    if country is not None:
        profile = country.profile or {}
        chain += list(profile.get("fallback") or country.languages or [])
    chain.append(BASE_LANGUAGE)
    return list(dict.fromkeys(chain))


def guide(slug: str) -> tuple[Module, ModuleGuide] | None:
    """A module and its trainer's guide, or None."""
    found = db.session.execute(sa.select(Module, ModuleGuide).join(ModuleGuide, ModuleGuide.module_id == Module.id)
                               .filter(Module.slug == slug)).first()
    return (found[0], found[1]) if found else None


def countries() -> list[Country]:
    return list(db.session.scalars(sa.select(Country).order_by(Country.name)))


def preview_languages(module: Module) -> list[str]:
    return list(db.session.scalars(
        sa.select(ModuleRendition.language).filter_by(module_version_id=module.current_version_id).distinct()
        .order_by(ModuleRendition.language)
    ))


def courses() -> list[Course]:
    return list(db.session.scalars(sa.select(Course).order_by(Course.id)))
