"""The architecture's rules hold: migrations stand alone, and a wrong import fails the check.

The import rules themselves are import-linter contracts in pyproject.toml, run by scripts/test
(docs/architecture.md draws them); here a deliberately wrong import proves the check bites.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "sync_backend" / "migrations" / "versions"

#: Project imports a migration may still make, with why. A migration that imports live code
#: changes what it did when that code changes; every entry is a debt, not a pattern to copy.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    # Re-signs every printed token and checks it equals the stored one, so a changed token
    # format stops the upgrade loudly instead of changing it silently.
    ("0006", "pika_protocol.tokens"): "token format, checked byte for byte by the migration",
    # Reads the signing-key secret the backend runs with (configuration, as env.py does).
    ("0006", "sync_backend.settings"): "configuration only",
    # Reads the same secret; the sealing itself is a frozen copy in the migration.
    ("0007", "sync_backend.settings"): "configuration only",
}
PROJECT = ("app", "pika_protocol", "pika_print", "sync_backend", "pika_bench", "installers")


def _project_imports(path: Path) -> set[str]:
    """Every project module ``path`` imports, at any depth (function bodies too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found.update(n for n in names if n.split(".")[0] in PROJECT)
    return found


def test_migrations_import_no_live_application_code() -> None:
    offenders = []
    for path in sorted(VERSIONS.glob("[0-9]*.py")):
        revision = path.name.split("_")[0]
        for module in sorted(_project_imports(path)):
            if (revision, module) not in KNOWN_EXCEPTIONS:
                offenders.append(f"{path.name} imports {module}")
    assert offenders == [], (
        "a migration must not import live application code (freeze the values it needs "
        f"inside it, as 0005 does): {offenders}"
    )


def test_migration_0005_reads_discounts_without_the_kiosk() -> None:
    assert _project_imports(VERSIONS / "0005_offer_discount_numbers.py") == set()


def test_a_wrong_import_fails_the_contracts(tmp_path: Path) -> None:
    """Copy the packages, make app.core import PySide6, sync_backend import app.ui,
    pika_protocol and pika_print import app: lint-imports must fail on each, and pass on the
    untouched copy (so the failure is the wrong import)."""
    lint = Path(sys.executable).with_name("lint-imports")
    assert lint.exists(), "import-linter is a dev dependency (pyproject.toml)"
    for package in PROJECT:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(lint), "--no-cache"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=240,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
        )

    clean = run()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (tmp_path / "app" / "core" / "wrong_import.py").write_text(
        "from PySide6 import QtCore\n", encoding="utf-8"
    )
    (tmp_path / "sync_backend" / "wrong_import.py").write_text(
        "import app.ui.texts\n", encoding="utf-8"
    )
    (tmp_path / "pika_protocol" / "wrong_import.py").write_text(
        "from app.core import money\n", encoding="utf-8"
    )
    (tmp_path / "pika_print" / "wrong_import.py").write_text(
        "from app.core import money\n", encoding="utf-8"
    )
    # The backend's own layers: infrastructure under the domains, events under fraud.
    (tmp_path / "sync_backend" / "observability" / "wrong_import.py").write_text(
        "from sync_backend.redemptions import service\n", encoding="utf-8"
    )
    (tmp_path / "sync_backend" / "events" / "wrong_import.py").write_text(
        "from sync_backend.fraud import rules\n", encoding="utf-8"
    )
    broken = run()
    assert broken.returncode != 0
    assert "pika_print.wrong_import -> app.core" in broken.stdout
    assert "app.core.wrong_import -> PySide6" in broken.stdout
    assert "sync_backend.wrong_import -> app.ui" in broken.stdout
    assert "pika_protocol.wrong_import -> app.core" in broken.stdout
    assert "sync_backend.observability.wrong_import -> sync_backend.redemptions" in broken.stdout
    assert "sync_backend.events.wrong_import -> sync_backend.fraud.rules" in broken.stdout


def test_no_two_modules_import_each_other() -> None:
    """A pair of modules importing each other (even only for type checking) is one module in
    two files: a newcomer cannot read either alone (issue 13)."""
    import grimp  # import-linter's own import graph

    graph = grimp.build_graph(*PROJECT)
    pairs = sorted(
        (module, other)
        for module in graph.modules
        for other in graph.find_modules_directly_imported_by(module)
        if module < other and module in graph.find_modules_directly_imported_by(other)
    )
    assert pairs == []


def _deps_imports() -> tuple[set[str], set[str]]:
    """sync_backend/deps.py's project imports: (at run time, under ``if TYPE_CHECKING``)."""
    tree = ast.parse((ROOT / "sync_backend" / "deps.py").read_text(encoding="utf-8"))
    typing_only: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            typing_only.update(
                n.module for n in node.body if isinstance(n, ast.ImportFrom) and n.module
            )
    everything = _project_imports(ROOT / "sync_backend" / "deps.py")
    return everything - typing_only, typing_only


def test_deps_names_domains_for_the_type_checker_only() -> None:
    """Domains import deps.py, so at run time it imports no domain; the contracts' ignored
    imports are exactly its type-checking ones (a run-time domain import added there would
    otherwise hide behind them)."""
    import tomllib

    at_run_time, typing_only = _deps_imports()
    domains = ("analytics", "businesses", "devices", "events", "fraud", "health", "limits")
    domains += ("managers", "redemptions", "vouchers")
    assert not {m for m in at_run_time if m.split(".")[1] in domains}, at_run_time
    expected = sorted(f"sync_backend.deps -> {m}" for m in typing_only)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for contract in config["tool"]["importlinter"]["contracts"]:
        ignored = contract.get("ignore_imports", [])
        if any(entry.startswith("sync_backend.deps") for entry in ignored):
            assert sorted(ignored) == expected, contract["name"]
