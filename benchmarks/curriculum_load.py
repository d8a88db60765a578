"""Reading, validating and loading the whole curriculum, on SQLite and PostgreSQL.

Prints, per backend: the time to read and validate the tree, the first load into an empty database
(every module version, bank and rendition written), and a reload of the unchanged tree (every
rendition's hash compared, nothing re-rendered); with the counts so that runs can be compared.

    .venv/bin/python benchmarks/curriculum_load.py [--backends sqlite,postgres] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _databases  # noqa: E402  (benchmarks/_databases.py, next to this script)

from app import create_app  # noqa: E402
from app.curriculum.loader import load_curriculum  # noqa: E402
from app.curriculum.render import _markdown_cached  # noqa: E402
from app.curriculum.tree import read_curriculum  # noqa: E402
from app.extensions import db  # noqa: E402

CURRICULA, ASSESSMENTS = ROOT / "curricula", ROOT / "assessments"


def one_run(backend: str, tmp: Path, run: int) -> dict:
    from flask_migrate import upgrade

    url = _databases.fresh_database(backend, tmp / f"bench{run}.sqlite3", "thb_bench_curriculum")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        _markdown_cached.cache_clear()  # a fresh process has rendered nothing yet
        started = time.perf_counter()
        cur = read_curriculum(CURRICULA, ASSESSMENTS)
        read_s = time.perf_counter() - started
        if cur.problems:
            raise SystemExit("the curriculum has problems; run `flask curricula validate`")
        started = time.perf_counter()
        first = load_curriculum(read_curriculum(CURRICULA, ASSESSMENTS))
        db.session.commit()
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = load_curriculum(read_curriculum(CURRICULA, ASSESSMENTS))
        db.session.commit()
        again_s = time.perf_counter() - started
        assert again.renditions_written == 0 and not again.new_versions, "an unchanged reload wrote something"
        db.session.remove()
        db.engine.dispose()
    return {"read": read_s, "first": first_s, "again": again_s, "modules": len(cur.modules),
            "questions": sum(len(b.questions) for b in cur.banks.values()),
            "renditions": first.renditions_written}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'backend':<11}{'read+validate':>15}{'first load':>13}{'reload unchanged':>18}  counts")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            runs = [one_run(backend, Path(tmp), n) for n in range(args.repeat)]
            median = {key: statistics.median(r[key] for r in runs) for key in ("read", "first", "again")}
            last = runs[-1]
            print(f"{backend:<11}{median['read'] * 1000:>12.0f} ms{median['first'] * 1000:>10.0f} ms"
                  f"{median['again'] * 1000:>15.0f} ms  {last['modules']} modules, {last['questions']} questions,"
                  f" {last['renditions']} renditions (median of {args.repeat})")


if __name__ == "__main__":
    main()
