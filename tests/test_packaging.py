"""A plain, non-editable `pip install .` gives a working `nianbao`: the dbt project travels inside the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from orchestration.paths import DEFAULT_INBOX, REPO_ROOT

# What a checkout holds besides the package sources: never copied into the build.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "warehouse", ".dagster_home", "target", "logs", "artifacts",
                                     "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
                                     ".hypothesis", "packaged_dbt_project")
INSTALL_TIMEOUT_S = 600


def _site_packages(venv: Path) -> Path:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return venv / "lib" / version / "site-packages"


@pytest.mark.slow
def test_non_editable_install_runs_on_its_packaged_dbt_project(tmp_path: Path) -> None:
    """Built from a copy of the sources, installed without its dependencies (taken from this environment's
    site-packages, where the editable install's path hook is not processed), run from an unrelated folder:
    the run succeeds, on the packaged project, with the samples' counts."""
    source = tmp_path / "src"
    shutil.copytree(REPO_ROOT, source, ignore=NOT_SOURCES)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (_site_packages(venv) / "nianbao_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NIANBAO_WAREHOUSE", "NIANBAO_INBOX")}
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", str(source)],
                             capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT_S)
    assert install.returncode == 0, install.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    warehouse = elsewhere / "w" / "nianbao.duckdb"
    env["DAGSTER_HOME"] = str(elsewhere / "dagster_home")
    run = subprocess.run([str(venv / "bin" / "nianbao"), "run", "--input", str(DEFAULT_INBOX), "--warehouse",
                          str(warehouse), "--json"], capture_output=True, text=True, env=env, cwd=elsewhere,
                         timeout=INSTALL_TIMEOUT_S)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    samples = len([p for p in DEFAULT_INBOX.iterdir() if p.is_file()])
    assert summary["reports"] == samples and summary["reports_checked_this_run"] == samples
    assert Path(summary["dq_report"]).is_file() and warehouse.is_file()

    packaged = _site_packages(venv) / "orchestration" / "packaged_dbt_project"
    assert (packaged / "dbt_project.yml").is_file() and (packaged / "target" / "manifest.json").is_file()
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import orchestration.dbt_sources as s; print(s.project_dir())"],
                           capture_output=True, text=True, env=env, cwd=elsewhere, check=True)
    assert Path(where.stdout.strip()) == packaged
