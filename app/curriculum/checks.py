"""Checks across files, one per kind of file: what no single file can tell (a passage for a slot the
module lacks, a translation with other sections, a bank that draws more than it has ...).
Every problem names its file and line, as the readers' problems do."""

from __future__ import annotations

from .definitions import COUNTRY_FIELDS, Curriculum, Placeholder
from .english import check_english
from .source import Problem


def check_placeholders(placeholders: list[Placeholder], path: str, cur: Curriculum,
                       countries: list[str] | None = None) -> None:
    for ph in placeholders:
        if ph.namespace == "country":
            if ph.key not in COUNTRY_FIELDS:
                cur.problems.append(Problem(path, ph.line, f"unknown placeholder '{{{{country.{ph.key}}}}}' (known: country.name)"))
            continue
        if ph.namespace != "law":
            cur.problems.append(Problem(path, ph.line, f"unknown placeholder namespace '{ph.namespace}' (known: country, law)"))
            continue
        for code in countries or sorted(cur.profiles):
            profile = cur.profiles[code] if code in cur.profiles else None
            if profile is not None and ph.key not in profile.legal_references:
                cur.problems.append(Problem(
                    path, ph.line,
                    f"placeholder '{{{{law.{ph.key}}}}}' has no value for {code} ({profile.path})",
                ))


def check_modules(cur: Curriculum) -> None:
    for module in cur.modules.values():
        check_placeholders(module.body.placeholders, module.path, cur)
        if module.id not in cur.banks:
            cur.problems.append(Problem(module.path, 1, f"module '{module.id}' has no question bank "
                                                        f"(assessments/{module.prong}/{module.id}.yml)"))


def check_passages(cur: Curriculum) -> None:
    problems = cur.problems
    for passage in cur.passages:
        module = cur.modules.get(passage.module_id)
        if passage.module_id and module is None:
            problems.append(Problem(passage.path, 2, f"national passage for unknown module '{passage.module_id}'"))
            continue
        if passage.country and passage.country not in cur.profiles:
            problems.append(Problem(passage.path, 3, f"national passage for unknown country '{passage.country}'"))
            continue
        if module is None:
            continue
        for slot, chunk in passage.passages.items():
            if slot not in module.body.slots:
                problems.append(Problem(passage.path, chunk.line - 1,
                                        f"module '{module.id}' has no national slot '{slot}' "
                                        f"(slots: {', '.join(module.body.slots) or 'none'})"))
        check_placeholders(passage.placeholders, passage.path, cur, [passage.country])
    seen_pairs: dict[tuple, str] = {}
    for passage in cur.passages:
        pair = (passage.module_id, passage.country, passage.language)
        if pair in seen_pairs:
            problems.append(Problem(passage.path, 1, "a second national passage file for the same module, country "
                                                     f"and language (first: {seen_pairs[pair]})"))
        seen_pairs.setdefault(pair, passage.path)


def check_translations(cur: Curriculum) -> None:
    problems = cur.problems
    for tr in cur.translations:
        module = cur.modules.get(tr.module_id)
        if module is None:
            if tr.module_id:
                problems.append(Problem(tr.path, 2, f"translation of unknown module '{tr.module_id}'"))
            continue
        if tr.country and tr.country not in cur.profiles:
            problems.append(Problem(tr.path, 4, f"translation for unknown country '{tr.country}'"))
        if len(tr.body.sections) != len(module.body.sections):
            problems.append(Problem(
                tr.path, tr.body.sections[0].line if tr.body.sections else 1,
                f"has {len(tr.body.sections)} sections but the module has {len(module.body.sections)} ({module.path})",
            ))
        if sorted(tr.body.slots) != sorted(module.body.slots):
            problems.append(Problem(tr.path, 1, f"national slots {sorted(tr.body.slots)} differ from the module's "
                                                f"{sorted(module.body.slots)}"))
        if len(tr.objectives) != len(module.objectives):
            problems.append(Problem(tr.path, 1, f"has {len(tr.objectives)} objectives but the module has "
                                                f"{len(module.objectives)}"))
        check_placeholders(tr.body.placeholders, tr.path, cur)


def check_course_tests(cur: Curriculum) -> None:
    for prong, course in cur.courses.items():
        if course.test_draw is None:
            continue
        banks = [cur.banks[m.id] for m in cur.modules_of(prong) if m.id in cur.banks]
        for code in sorted(cur.profiles):
            available = sum(1 for b in banks for q in b.questions if not q.countries or code in q.countries)
            if available < course.test_draw:
                cur.problems.append(Problem(course.path, course.test_line,
                                            f"the course tests draw {course.test_draw} questions but the modules have "
                                            f"only {available} for {code}"))
                break


def check_banks(cur: Curriculum) -> None:
    problems = cur.problems
    for bank in cur.banks.values():
        if bank.module_id not in cur.modules:
            if bank.module_id:
                problems.append(Problem(bank.path, 1, f"question bank for unknown module '{bank.module_id}'"))
            continue
        module = cur.modules[bank.module_id]
        headings = [s.heading for s in module.body.sections]
        for question in bank.questions:
            if question.section is not None and question.section not in headings:
                problems.append(Problem(bank.path, question.line,
                                        f"question '{question.key}' names section '{question.section}', which is not "
                                        f"a '## ' heading of {module.path}"))
            for code in question.countries or []:
                if code not in cur.profiles:
                    problems.append(Problem(bank.path, question.line,
                                            f"question '{question.key}' names unknown country '{code}'"))
        for code in sorted(cur.profiles):
            available = sum(1 for q in bank.questions if not q.countries or code in q.countries)
            if available < bank.draw:
                problems.append(Problem(bank.path, 1, f"draws {bank.draw} questions but only {available} are "
                                                      f"available for {code}"))
                break


def check_guides(cur: Curriculum) -> None:
    """Every module has a trainer's guide, and every guide belongs to a module."""
    for module in cur.modules.values():
        if module.id not in cur.guides:
            cur.problems.append(Problem(module.path, 1, f"no trainer's guide: write {module.prong}/guides/{module.id}.md "
                                                        "(facilitator notes, docs/curriculum-format.md)"))
    for guide in cur.guides.values():
        if guide.module_id not in cur.modules:
            cur.problems.append(Problem(guide.path, 1, f"guide for unknown module '{guide.module_id}'"))


CHECKS = (check_modules, check_passages, check_translations, check_course_tests, check_banks, check_guides, check_english)


def cross_check(cur: Curriculum) -> None:
    for check in CHECKS:
        check(cur)
