"""The layer order (docs/architecture.md) and ruff's settings hold, and the checks that CI runs would
catch a break: an upward import, or a ruff finding, makes them fail."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "tree"
    target.mkdir()
    shutil.copytree(ROOT / "app", target / "app", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=where, capture_output=True, text=True,
                          env={"PYTHONPATH": str(where), "PATH": str(BIN)})


def test_the_layer_order_is_kept_and_an_upward_import_breaks_it(tmp_path):
    tree = _copy(tmp_path)
    assert _lint_imports(tree).returncode == 0
    roles = tree / "app" / "foundation" / "roles.py"
    roles.write_text(roles.read_text("utf-8") + "\nfrom app.learning import services  # noqa: E402,F401\n", "utf-8")
    broken = _lint_imports(tree)
    assert broken.returncode != 0 and "app.foundation.roles -> app.learning" in broken.stdout


def test_ruff_passes_and_a_finding_fails_it(tmp_path):
    tree = _copy(tmp_path)
    ruff = [str(BIN / "ruff"), "check", "--no-cache", "app"]
    assert subprocess.run(ruff, cwd=tree, capture_output=True).returncode == 0
    (tree / "app" / "utils.py").write_text((tree / "app" / "utils.py").read_text() + "\nimport os\n", "utf-8")
    result = subprocess.run(ruff, cwd=tree, capture_output=True, text=True)
    assert result.returncode != 0 and "F401" in result.stdout
