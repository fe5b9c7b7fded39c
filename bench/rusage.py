"""``python -m bench.rusage CMD...``: run a command, print its wall time, CPU time and peak RSS.

Linux keeps a process's peak RSS across ``exec`` and starts a forked child
at its parent's size, so a child of the benchmark (which holds the
generated files) would report at least the benchmark's own size. This small
process forks the command instead, from a few megabytes, and reports the
command's own figures as JSON on stdout; the command's output is dropped,
its error output passed on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> None:
    start = time.perf_counter()
    child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    figures = {
        "wall_s": time.perf_counter() - start,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_kib": usage.ru_maxrss,
        "exit": os.waitstatus_to_exitcode(status),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
