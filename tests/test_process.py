"""The console script's exit: the code as returned, once other threads have finished, exit
handlers have run and all output is out, without the interpreter's teardown."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROGRAM = textwrap.dedent("""
    import atexit, threading, time
    from concurrent.futures import ThreadPoolExecutor
    from pipelines.process import finished
    atexit.register(lambda: print("handler ran"))
    worker = threading.Thread(target=lambda: (time.sleep(0.3), print("thread done")))
    worker.start()
    pool = ThreadPoolExecutor(1)  # its idle worker, as dlt's telemetry leaves one
    pool.submit(print, "pool ran")
    print("x" * 100_000, end="|")
    finished(3)
    print("never")
""")


def test_the_process_ends_with_its_code_after_threads_handlers_and_output(tmp_path: Path):
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          cwd=tmp_path, env={"PYTHONPATH": str(root)}, timeout=60)  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stdout == "pool ran\n" + "x" * 100_000 + "|thread done\nhandler ran\n"
    assert not done.stderr
