"""`nianbao run` in a fresh process that records what it starts and imports: a run with nothing to do must start
no Dagster job, no dbt, no Great Expectations and no process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

# The frameworks a run with nothing to do must not import.
FRAMEWORKS = ("dbt.cli.main", "great_expectations", "dagster", "dagster_dbt")


def probed_run(inbox: Path, warehouse: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The run's JSON summary, and what the process did: its exit code, the processes it started, the frameworks
    it imported."""
    probe = textwrap.dedent(f"""
        import json, multiprocessing, subprocess, sys
        started = []
        real_popen_init, real_start = subprocess.Popen.__init__, multiprocessing.Process.start
        def popen_init(self, *a, **k):
            started.append("subprocess")
            real_popen_init(self, *a, **k)
        def start(self):
            started.append("process")
            real_start(self)
        subprocess.Popen.__init__, multiprocessing.Process.start = popen_init, start
        from orchestration.cli import main
        code = main(["run", "--input", {str(inbox)!r}, "--warehouse", {str(warehouse)!r}, "--json"])
        loaded = sorted(m for m in {FRAMEWORKS!r} if m in sys.modules)
        print(json.dumps({{"code": code, "started": started, "loaded": loaded}}))
    """)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    *output, probed = proc.stdout.strip().splitlines()
    return json.loads(output[-1]), json.loads(probed)
