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


READER_GONE = textwrap.dedent("""
    import sys
    from pipelines.process import finished, started
    started()
    for _ in range(200):  # far more than a pipe holds: its reader is long gone
        print("y" * 4_096)
    sys.stderr.write("finished its work\\n")
    finished(0)
""")


def test_output_whose_reader_has_gone_lets_the_run_finish_and_exit_0(tmp_path: Path):
    """`sequence-funnel demo | head`: the reader stops early; the run still does all its work
    and exits as it would, where a BrokenPipeError stopped it half-way with exit 1."""
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([sys.executable, "-c", READER_GONE], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path,
                               env={"PYTHONPATH": str(root)})  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10) == b"yyyyyyyyyy"
    process.stdout.close()  # as `head` does once it has its lines
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b"finished its work\n"
