"""A full disk (issue 17): the run stops with one line that says so, never a traceback or silence, and the
terminal is given back even when the run's own log cannot be written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from orchestration import cli


def test_the_terminal_is_given_back_when_the_log_cannot_be_written(capfd):
    before = {fd: os.fstat(fd).st_ino for fd in (1, 2)}
    log = open("/dev/full", "w", encoding="utf-8")  # every write: ENOSPC  # noqa: SIM115
    with cli.terminal_to_log(log):
        print("a line the full disk cannot take")
        assert os.fstat(1).st_ino != before[1]  # stdout went to the log meanwhile
    assert {fd: os.fstat(fd).st_ino for fd in (1, 2)} == before
    with pytest.raises(OSError) as closing:  # the run's own `with` then fails here, and main says so
        log.close()
    assert closing.value.errno == errno.ENOSPC
    print("after the run")
    assert "after the run" in capfd.readouterr().out


def test_no_space_left_is_one_line_naming_the_cause(monkeypatch, capsys):
    def full_disk(_args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/warehouse/nianbao_run/nianbao.duckdb.wal")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    for action in parser._subparsers._group_actions[0].choices.values():
        action.set_defaults(func=full_disk)
    assert cli.main(["--lang", "en", "run"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["nianbao: error: no space left on the device (/data/warehouse/nianbao_run/nianbao.duckdb.wal): "
                   "the run stopped and the published warehouse is unchanged; free some space and run again"]


def test_other_os_errors_are_not_reported_as_a_full_disk(monkeypatch):
    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)

    def denied(_args):
        raise PermissionError(errno.EACCES, "Permission denied", str(Path("/root/x")))

    for action in parser._subparsers._group_actions[0].choices.values():
        action.set_defaults(func=denied)
    with pytest.raises(PermissionError):
        cli.main(["run"])
