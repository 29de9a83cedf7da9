"""Packaging hook: the dbt project travels inside the package, so a non-editable `pip install .` gives a
`nianbao` that finds its models (as orchestration/packaged_dbt_project, see orchestration/dbt_sources.py).

Everything else about the package is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DBT_SOURCE = Path(__file__).resolve().parent / "dbt_project"
PACKAGED_DBT = ("orchestration", "packaged_dbt_project")
# dbt's outputs and local files stay behind; the manifest is parsed on first use (orchestration.dbt_setup).
NOT_PACKAGED = shutil.ignore_patterns("target", "logs", "dbt_packages", ".*", "__pycache__")


class BuildWithDbtProject(build_py):
    """build_py that also copies the dbt project into the built package (not for an editable install,
    which reads dbt_project/ in place)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or not DBT_SOURCE.is_dir():
            return
        target = Path(self.build_lib, *PACKAGED_DBT)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(DBT_SOURCE, target, ignore=NOT_PACKAGED)


setup(cmdclass={"build_py": BuildWithDbtProject})
