"""Progress reports from inside a run to whoever launched it in this process.

The CLI runs the Dagster job in-process and wants a live progress bar; Dagster's event log is the record
of a run but is not a callback channel. Assets therefore call `report(...)`, which goes to the listeners
registered here (the CLI's progress display) and costs nothing when nobody listens (a run launched by
`dagster dev`, the schedule or the sensor).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

# stage, units done, units total (0 = unknown), detail (e.g. the file or model just finished)
Listener = Callable[[str, int, int, str], None]

_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send progress reports to `listener` while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(stage: str, done: int, total: int, detail: str = "") -> None:
    """Tell every listener how far `stage` has got; a listener's failure never breaks the run."""
    for listener in list(_listeners):
        try:
            listener(stage, done, total, detail)
        except Exception:  # a display problem must not fail the pipeline
            _listeners.remove(listener)
