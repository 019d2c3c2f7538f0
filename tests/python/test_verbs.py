"""The Python module's verbs against the command: every verb's dict equals the command's --json
for the same arguments, byte for byte once dumped with sorted keys; errors raise the exception of
their exit code with the file, line and field."""

import json
import os
import subprocess
import sys

import pytest

import kcsim

BINARY = os.environ["KCSIM_BINARY"]
SOURCE = os.environ["KCSIM_SOURCE_DIR"]


def cli_json(*words):
    done = subprocess.run([BINARY, *words, "--json"], capture_output=True, text=True, check=True,
                          cwd=SOURCE)
    return json.loads(done.stdout)


def same(a, b):
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.fixture(autouse=True)
def in_source_tree(monkeypatch):
    monkeypatch.chdir(SOURCE)


CASES = [
    ("train", dict(model="llama3-8b", chip="h100-sxm", devices=8, global_batch=64),
     ["train", "--model", "llama3-8b", "--chip", "h100-sxm", "--devices", "8",
      "--global-batch", "64"]),
    ("train", dict(model="gpt3-175b", cluster="dgx-a100", devices=64, tp=8, pp=8,
                   global_batch=64, engine="event"),
     ["train", "--model", "gpt3-175b", "--cluster", "dgx-a100", "--devices", "64", "--tp", "8",
      "--pp", "8", "--global-batch", "64", "--engine", "event"]),
    ("serve", dict(model="llama3-8b", chip="h100-sxm", batch_size=8),
     ["serve", "--model", "llama3-8b", "--chip", "h100-sxm", "--batch-size", "8"]),
    ("serve", dict(model="llama3-8b", chip="rngd", rate=4, requests=60, seed=3),
     ["serve", "--model", "llama3-8b", "--chip", "rngd", "--rate", "4", "--requests", "60",
      "--seed", "3"]),
    ("plan", dict(power_mw=1, chip="h100-sxm", model="llama2-70b", batch_size=16),
     ["plan", "--power-mw", "1", "--chip", "h100-sxm", "--model", "llama2-70b",
      "--batch-size", "16"]),
    ("chips", {}, ["chips"]),
    ("models", {}, ["models"]),
    ("runtimes", {}, ["runtimes"]),
]


@pytest.mark.parametrize("verb,options,words", CASES, ids=[c[0] for c in CASES])
def test_verb_equals_the_commands_json(verb, options, words):
    assert same(getattr(kcsim, verb)(**options), cli_json(*words))


def test_run_takes_a_file_or_the_scenario_text():
    path = "configs/scenarios/rngd-150w.textproto"
    from_file = kcsim.run(path)
    assert same(from_file, cli_json("run", path))
    with open(path, encoding="utf-8") as f:
        from_text = kcsim.run(f.read())
    assert same(from_text, from_file)


def test_replay_and_topo():
    prefix = "tests/data/chakra-dp16/w"
    cluster = "tests/data/chakra-dp16/cluster.textproto"
    assert same(kcsim.replay(prefix, cluster=cluster),
                cli_json("replay", prefix, "--cluster", cluster))
    assert same(kcsim.topo("dgx-h100", nodes=4), cli_json("topo", "dgx-h100", "--nodes", "4"))


def test_bad_input_raises_input_error_with_its_place():
    with pytest.raises(kcsim.InputError) as flag:
        kcsim.train(model="no-such-model", chip="h100-sxm", devices=8, global_batch=8)
    assert flag.value.exit_code == 2
    assert "no-such-model" in str(flag.value)

    text = ('name: "bad"\ncluster_names: "dgx-h100"\n'
            'training { model: "llama3-8b" global_batch: 0 }\n')
    with pytest.raises(kcsim.InputError) as in_file:
        kcsim.run(text)
    e = in_file.value
    assert e.file.endswith("scenario.textproto")
    assert e.line == 3
    assert e.field == "training.global_batch"


def test_a_job_that_cannot_run_raises_infeasible():
    with pytest.raises(kcsim.Infeasible) as e:
        kcsim.serve(model="llama3-70b", chip="atom", tp=1)
    assert e.value.exit_code == 3
    assert not str(e.value).startswith("kcsim:")


def test_validate_returns_every_case():
    result = kcsim.validate()
    assert same(result, json.loads(
        subprocess.run([BINARY, "validate", "--json"], capture_output=True, text=True,
                       cwd=SOURCE).stdout))


def test_the_type_stubs_follow_the_commands_flags():
    """python/kcsim/__init__.pyi is what scripts/python_stubs.py makes of the flags today."""
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(kcsim.__file__)))
    done = subprocess.run([sys.executable, os.path.join(SOURCE, "scripts/python_stubs.py"),
                           "--check"], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=package_parent))
    assert done.returncode == 0, done.stderr


def test_each_verbs_docstring_ends_with_its_commands_help():
    for verb in ("train", "serve", "run", "replay", "plan", "topo", "validate", "chips",
                 "models", "runtimes", "policies", "sweep"):
        code, text, _ = kcsim.command(verb, "--help")
        assert code == 0
        doc = getattr(kcsim, verb).__doc__
        flags = [line.split()[0] for line in text.splitlines() if line.startswith("  -")]
        assert flags and all(flag in doc for flag in flags), verb


def test_calls_do_not_leak_into_each_other():
    """A flag given to one call is not remembered by the next."""
    first = kcsim.train(model="llama3-8b", chip="h100-sxm", devices=8, global_batch=64, tp=2)
    second = kcsim.train(model="llama3-8b", chip="h100-sxm", devices=8, global_batch=64)
    assert first["tp"] == 2 and second["tp"] == 1


def test_a_catalog_file_edited_between_calls_is_read_again(tmp_path):
    """The process keeps what it read of the catalog, and reads a file again once it changed."""
    import shutil

    configs = tmp_path / "configs"
    shutil.copytree(os.path.join(SOURCE, "configs"), configs)
    flags = dict(model="llama3-8b", chip="h100-sxm", devices=8, global_batch=64,
                 configs=configs)
    before = kcsim.train(**flags)
    chip = configs / "chips" / "h100-sxm.textproto"
    text = chip.read_text()
    assert "tdp_w: 700" in text
    chip.write_text(text.replace("tdp_w: 700", "tdp_w: 350"))
    os.utime(chip, ns=(chip.stat().st_atime_ns, chip.stat().st_mtime_ns + 10**9))
    after = kcsim.train(**flags)
    assert after["iteration_time_s"] > before["iteration_time_s"]  # half the power, slower
