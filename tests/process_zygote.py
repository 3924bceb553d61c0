"""A warm parent for the kill drills: imports the ``ledger`` command once, forks a process per run.

``python -m tests.process_zygote`` reads one JSON request per line on stdin and answers one JSON
line on stdout:

* ``{"argv": [...], "env": {...}, "log": PATH}``: fork a child that runs ``ledger ARGV`` (the
  real command, ``cli.main:app``) with ``env`` added, its output in ``PATH``; answers ``{"pid"}``;
* ``{"wait": PID}``: reap that child; answers ``{"code"}`` (negative: killed by that signal).

Why: on a busy machine importing the command takes seconds, and a drill restarts its process
several times. A forked child is still a separate process running the command from its start,
with its own connections, and ``kill -9`` ends it like any other; only the imports are shared.
The parent holds no connection and runs no thread, so forking it is safe.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from cli.main import app


def _run_child(request: dict[str, Any]) -> None:
    """In the child: output to the log, the environment given, then the command; never returns."""
    code = 0
    try:
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.environ.update(request.get("env", {}))
        app(args=request["argv"], prog_name="ledger")
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _answer(value: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        if "wait" in request:
            _, status = os.waitpid(int(request["wait"]), 0)
            _answer({"code": os.waitstatus_to_exitcode(status)})
            continue
        pid = os.fork()
        if pid == 0:
            _run_child(request)
        _answer({"pid": pid})


if __name__ == "__main__":
    main()
