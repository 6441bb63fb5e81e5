"""The package layers point one way and no package's modules import each other in a circle:
import-linter's contracts in ``pyproject.toml`` ([tool.importlinter]), checked on every test run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run([exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "2 kept, 0 broken" in proc.stdout


def test_no_lazy_imports_between_components():
    """A component imports what it needs at the top of its module, where import-linter sees it
    (the CLI's lazy imports keep ``crawler --help`` fast; the Redis store needs an optional extra)."""
    allowed = {"crawler/cli.py", "crawler/state/open.py"}
    offenders = []
    for path in sorted((REPO / "crawler").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.startswith((" ", "\t")) and line.strip().startswith(("from crawler", "import crawler")) and rel not in allowed:
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []
