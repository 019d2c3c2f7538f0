"""Long runs stop cleanly and say how far they got: Ctrl-C (SIGINT, sent here from outside)
raises KeyboardInterrupt in Python and exits 130 from the command, leaving the sweep's output
whole (the points finished, marked incomplete, resumable) and no temporary file; a progress
callable hears the points done and their rate, and what it raises stops the sweep."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import kcsim

SOURCE = os.environ["KCSIM_SOURCE_DIR"]
BINARY = os.environ["KCSIM_BINARY"]
SLOW_SWEEP = os.path.join(SOURCE, "tests/data/sweeps/serving-loads.textproto")
POINTS = 24


def interrupt_after(process, ready, delay_s=1.0, limit_s=120):
    """Waits until `process` prints `ready`, sends SIGINT `delay_s` later, and returns its exit
    code, its output and the seconds it took to stop after the signal."""
    for line in process.stdout:
        if ready in line:
            break
    time.sleep(delay_s)
    if process.poll() is not None:
        pytest.fail("finished before it could be interrupted: " + process.stderr.read())
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    output, errors = process.communicate(timeout=limit_s)
    return process.returncode, output + errors, time.monotonic() - sent


def python_process(code, folder):
    """`code` run by this Python in `folder`, importing the kcsim this test imported."""
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(kcsim.__file__)))
    env = dict(os.environ, PYTHONPATH=package_parent)
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=folder, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def assert_whole_and_incomplete(folder, out):
    table = kcsim.read_sweep(out)
    assert table.attrs["complete"] in (False, b"false", "false", 0)
    assert 0 <= len(table) < POINTS
    assert (table["status"] == "ok").all()  # stopping fails no point
    left = sorted(os.listdir(folder))
    assert left == ["out.h5", "out.h5.journal"], left  # no temporary file
    return len(table)


def test_ctrl_c_stops_a_sweep_from_python_and_a_later_call_resumes(tmp_path):
    out = tmp_path / "out.h5"
    process = python_process(f"""
        import kcsim
        print("started", flush=True)
        try:
            kcsim.sweep({SLOW_SWEEP!r}, out="out.h5", jobs=2)
            print("finished")
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
        """, tmp_path)
    code, said, stop_s = interrupt_after(process, "started", delay_s=2.0)
    assert code == 0, said
    assert "KeyboardInterrupt" in said
    assert stop_s < 10
    done = assert_whole_and_incomplete(tmp_path, out)

    # The next call keeps what was done and runs the rest.
    reports = []
    table = kcsim.sweep(SLOW_SWEEP, out=out, jobs=2, progress=reports.append)
    assert len(table) == POINTS and table.attrs["complete"] in (True, b"true", "true", 1)
    assert reports[0].done == done and reports[-1].done == POINTS
    assert sorted(os.listdir(tmp_path)) == ["out.h5"]


def test_ctrl_c_stops_the_command_with_exit_130(tmp_path):
    process = subprocess.Popen(
        ["sh", "-c", f"echo started; exec '{BINARY}' sweep '{SLOW_SWEEP}' --out out.h5 --jobs 2"],
        cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code, said, stop_s = interrupt_after(process, "started", delay_s=2.0)
    assert code == 130, said
    assert "kcsim: interrupted" in said
    assert stop_s < 10
    assert_whole_and_incomplete(tmp_path, tmp_path / "out.h5")


def test_ctrl_c_stops_the_commands_serving_load_with_nothing_written(tmp_path):
    process = subprocess.Popen(
        ["sh", "-c", f"echo started; exec '{BINARY}' serve --model llama3-8b --chip h100-sxm "
         "--rate 40 --requests 1000000 --requests-out requests.csv"],
        cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code, said, stop_s = interrupt_after(process, "started", delay_s=1.5)
    assert code == 130, said
    assert said.strip() == "kcsim: interrupted"  # and nothing on standard output
    assert stop_s < 5
    assert os.listdir(tmp_path) == []


def test_ctrl_c_stops_a_serving_load(tmp_path):
    process = python_process("""
        import kcsim
        print("started", flush=True)
        try:
            kcsim.serve(model="llama3-8b", chip="h100-sxm", rate=40, requests=1000000,
                        requests_out="requests.csv")
            print("finished")
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
        # The process goes on as before: another call runs, and Ctrl-C is Python's again.
        print(kcsim.chips()["chips"][0]["name"])
        import os, signal, time
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            print("Python's own handler")
        """, tmp_path)
    code, said, stop_s = interrupt_after(process, "started", delay_s=1.5)
    assert code == 0, said
    assert "KeyboardInterrupt" in said and "finished" not in said
    assert "Python's own handler" in said
    assert stop_s < 5
    assert os.listdir(tmp_path) == []  # no requests.csv, whole or partial, and no temporary


def test_progress_reports_points_and_rate(tmp_path):
    reports = []
    table = kcsim.sweep(os.path.join(SOURCE, "tests/data/sweeps/small-serving.textproto"),
                        jobs=2, progress=reports.append)
    assert len(table) == 32
    assert reports, "no progress reported"
    assert all(r.total == 32 for r in reports)
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    assert reports[-1].done == 32 and reports[-1].eta_s == 0
    assert reports[-1].rate_per_s > 0 and reports[-1].elapsed_s > 0


def test_what_the_progress_callable_raises_stops_the_sweep(tmp_path):
    class Enough(Exception):
        pass

    def stop_after_two(report):
        if report.done >= 2:
            raise Enough()

    with pytest.raises(Enough):
        kcsim.sweep(SLOW_SWEEP, out=tmp_path / "out.h5", jobs=1, progress=stop_after_two)
    assert assert_whole_and_incomplete(tmp_path, tmp_path / "out.h5") >= 2


def test_text_progress_draws_a_bar(capsys):
    kcsim.text_progress(kcsim.Progress(8, 32, 4.0, 2.0, 6.0))
    line = capsys.readouterr().err
    assert "8/32 points" in line and "4.0 points/s" in line and "ETA 6 s" in line
