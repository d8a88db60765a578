"""The curriculum tree on disk, parsed into plain definitions and checked.

`read_curriculum()` reads every course, module, country profile, national passage, translation,
trainer's guide and question bank (one reader per kind of file: profiles.py, courses.py, modules.py, passages.py,
banks.py, with the shared pieces in fields.py, bodies.py and claims.py), then runs the checks across
files (checks.py), and returns the definitions (definitions.py) with every problem found, each naming
its file and line. Nothing here touches the database: `loader.py` imports a tree that has no
problems, and `flask curricula validate` prints the problems.
"""

from __future__ import annotations

from pathlib import Path

from .banks import _read_bank
from .checks import cross_check
from .courses import _read_course
from .definitions import *  # noqa: F403  (the names the rest of the platform imports from here)
from .definitions import PRONGS, Curriculum
from .fields import _display
from .guides import _read_guide
from .modules import _read_module, _read_translation
from .passages import _read_passage
from .profiles import _read_profile
from .source import Problem, SourceError


def _guarded(reader, path: Path, root: Path, cur: Curriculum, *args) -> None:
    try:
        reader(path, root, *args, cur) if args else reader(path, root, cur)
    except SourceError as exc:
        cur.problems.append(exc.problem)


def read_curriculum(curricula_dir: Path, assessments_dir: Path) -> Curriculum:
    """Read and check the whole tree; the result's `problems` lists everything wrong."""
    root = curricula_dir.resolve().parent
    cur = Curriculum()
    countries_dir = curricula_dir / "countries"
    for path in sorted(countries_dir.glob("*.yml")):
        _guarded(_read_profile, path, root, cur)
    if not cur.profiles:
        cur.problems.append(Problem(_display(countries_dir, root), 1, "no country profiles"))
    for child in sorted(p for p in curricula_dir.iterdir() if p.is_dir() and p.name != "countries"):
        if child.name not in PRONGS:
            cur.problems.append(Problem(_display(child, root), 1,
                                        f"unknown prong directory '{child.name}' (expected one of: {', '.join(PRONGS)})"))
    for prong in PRONGS:
        prong_dir = curricula_dir / prong
        if not prong_dir.is_dir():
            continue
        course_file = prong_dir / "course.yml"
        if course_file.exists():
            _guarded(_read_course, course_file, root, cur, prong)
        else:
            cur.problems.append(Problem(_display(course_file, root), 1, "missing course file"))
        for path in sorted(prong_dir.glob("*.md")):
            _guarded(_read_module, path, root, cur, prong)
        for path in sorted((prong_dir / "national").glob("*/*.md")):
            _guarded(_read_passage, path, root, cur, prong)
        for path in sorted((prong_dir / "translations").glob("*/*.md")):
            _guarded(_read_translation, path, root, cur, prong)
        for path in sorted((prong_dir / "guides").glob("*.md")):
            _guarded(_read_guide, path, root, cur, prong)
        bank_dir = assessments_dir / prong
        for path in sorted(bank_dir.glob("*.yml")):
            _guarded(_read_bank, path, root, cur, prong)
    cross_check(cur)
    cur.problems.sort()
    return cur
