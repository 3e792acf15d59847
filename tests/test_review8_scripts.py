"""The scripts' command lines (review 8, finding 13).

Every script in scripts/ answers ``--help`` with its help and nothing else, and a bad argument (a
missing folder, an output that cannot be written, an unknown git revision or source) with one line
``error: ...`` on stderr and exit status 2: no traceback, nothing (half-)written.

Each run is a separate process that runs the script as ``__main__`` with its own argv, stdout and
stderr, and its exit status is checked. Importing pandas and the library costs each fresh interpreter
about 1.3 CPU-seconds, so most runs are forked from this process after it has imported the scripts'
dependencies (the same script code runs, as ``python script.py`` would run it); a few are plain
subprocesses, end to end. No test runs a script's real job. scripts/make_notebooks.py is run from a
copy in a temporary folder, so that a broken ``--help`` could not rewrite notebooks/.
"""
from __future__ import annotations

import importlib.util
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
# fit_historical.py is covered by tests/test_review8_models.py (another owner)
HELP_SCRIPTS = ("backtest_scenarios", "build_dyad_years", "derive_bundled_structural", "evaluate", "fit_commitment",
                "fit_historical", "experiment_nested_boosting",
                "interval_coverage", "make_readme_figure", "scenario_figures", "sensitivity_commitment",
                "uncertainty_table", "trend_false_call_rate")
NOT_A_DIR = "/nonexistent-alliance-index-test-dir"
UNWRITABLE = "/proc/alliance-index-test.csv"  # /proc refuses new files, even to root

#: (id, script, arguments, text the error line must contain)
BAD = [
    ("build-missing-data-dir", "build_dyad_years", ["--data-dir", NOT_A_DIR], NOT_A_DIR),
    ("build-unwritable-out", "build_dyad_years", ["--out", UNWRITABLE], UNWRITABLE),
    ("build-out-under-a-file", "build_dyad_years", ["--out", "{file}/x.csv"], "is not a folder"),
    ("build-unknown-source", "build_dyad_years", ["--sources", "atop, trade ,atp"], "unknown source 'atp'"),
    ("build-start-after-end", "build_dyad_years", ["--start", "2000", "--end", "1990"], "after --end"),
    ("evaluate-missing-real", "evaluate", ["--real", NOT_A_DIR, "--skip-lodo"], NOT_A_DIR),
    ("evaluate-unknown-revision", "evaluate", ["--skip-real", "--skip-lodo", "--prospective", "nosuchrev"],
     "unknown git revision 'nosuchrev'"),
    ("evaluate-unwritable-cache", "evaluate", ["--cache", "/proc/x.parquet", "--skip-lodo"], "/proc/x.parquet"),
    ("fit-historical-missing-real", "fit_historical", ["--real", NOT_A_DIR], NOT_A_DIR),
    ("fit-historical-unwritable-cache", "fit_historical", ["--cache", "/proc/x.parquet"], "/proc/x.parquet"),
    ("derive-missing-data-dir", "derive_bundled_structural", ["--data-dir", NOT_A_DIR], NOT_A_DIR),
    ("sensitivity-missing-real", "sensitivity_commitment", ["--real", NOT_A_DIR, "--skip-real"], NOT_A_DIR),
    ("coverage-unwritable-out", "interval_coverage", ["--out", UNWRITABLE], UNWRITABLE),
    ("figure-unwritable-out", "make_readme_figure", ["--out", "/proc/x.png"], "/proc/x.png"),
    ("uncertainty-unwritable-figures", "uncertainty_table", ["--figures", "/proc/figs"], "/proc/figs"),
    ("scenario-figures-unknown-option", "scenario_figures", ["--seed", "3"], "unrecognized arguments"),
    ("trend-rate-not-an-integer", "trend_false_call_rate", ["abc"], "is not an integer"),
]


def _notebook_copy(tmp: Path) -> Path:
    (tmp / "scripts").mkdir()
    for f in ("make_notebooks.py", "_cli.py"):
        if (SCRIPTS / f).exists():
            shutil.copy(SCRIPTS / f, tmp / "scripts" / f)
    return tmp / "scripts" / "make_notebooks.py"


#: runs done as plain subprocesses (a fresh interpreter), end to end
SUBPROCESS = {"help-build_dyad_years", "build-missing-data-dir", "help-make_notebooks", "notebooks-unwritable-out",
              "help-scenario_figures", "scenario-figures-unknown-option"}


def _forked(argv: list[str], cwd: Path, log: Path) -> subprocess.Popen | int:
    """Run ``python argv[0] argv[1:]`` in a child forked from this process; returns the child's pid."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the child: never return into pytest
        os.chdir(cwd)
        so = open(log.with_suffix(".out"), "w")
        se = open(log.with_suffix(".err"), "w")
        os.dup2(so.fileno(), 1)
        os.dup2(se.fileno(), 2)
        sys.stdout, sys.stderr = so, se
        sys.argv = list(argv)
        try:
            runpy.run_path(argv[0], run_name="__main__")
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if not isinstance(e.code, (int, type(None))):
                print(e.code, file=sys.stderr)
        except BaseException:  # as the interpreter would: the traceback on stderr, status 1
            import traceback
            traceback.print_exc()
            code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Start every run at once, then collect them."""
    tmp = tmp_path_factory.mktemp("scripts")
    cwd = tmp / "cwd"
    cwd.mkdir()
    logs = tmp / "logs"
    logs.mkdir()
    a_file = tmp / "a_file"
    a_file.write_text("x")
    jobs = {f"help-{s}": [str(SCRIPTS / f"{s}.py"), "--help"] for s in HELP_SCRIPTS}
    for case, script, args, _ in BAD:
        jobs[case] = [str(SCRIPTS / f"{script}.py")] + [a.replace("{file}", str(a_file)) for a in args]
    nb_help, nb_bad = tmp / "nb_help", tmp / "nb_bad"
    nb_help.mkdir()
    nb_bad.mkdir()
    jobs["help-make_notebooks"] = [str(_notebook_copy(nb_help)), "--help"]
    jobs["notebooks-unwritable-out"] = [str(_notebook_copy(nb_bad)), "--out", "/proc/notebooks"]
    # the forked runs share this process's imports: import each script once as a module (its main() is
    # not called), which imports everything it needs
    for s in sorted({Path(v[0]).stem for k, v in jobs.items() if k not in SUBPROCESS}):
        _load(s)
    sys.stdout.flush()
    sys.stderr.flush()
    procs, pids = {}, {}
    for k, v in jobs.items():
        if k in SUBPROCESS:
            procs[k] = subprocess.Popen([sys.executable, *v], cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        else:
            pids[k] = _forked(v, cwd, logs / k)
    out = {}
    for k, pid in pids.items():
        _, status = os.waitpid(pid, 0)
        log = logs / k
        out[k] = (os.waitstatus_to_exitcode(status), log.with_suffix(".out").read_text(),
                  log.with_suffix(".err").read_text())
    for k, p in procs.items():
        try:
            so, se = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:  # e.g. a --help that runs the whole job
            p.kill()
            so, se = p.communicate()
            se += "\n<timed out: the script did not stop after parsing its arguments>"
        out[k] = (p.returncode, so, se)
    return {"out": out, "cwd": cwd, "nb_help": nb_help, "nb_bad": nb_bad, "a_file": a_file}


@pytest.mark.parametrize("script", HELP_SCRIPTS + ("make_notebooks",))
def test_help_prints_the_help_and_does_nothing_else(runs, script):
    rc, so, se = runs["out"][f"help-{script}"]
    assert rc == 0 and so.startswith("usage: ") and "--help" in so, (rc, so[-500:], se[-500:])
    assert se == "", se[-500:]
    # the help of a script that takes no options still says what the script does
    assert len(so.splitlines()) >= 5
    assert list(runs["cwd"].iterdir()) == []


def test_make_notebooks_help_writes_no_notebook(runs):
    assert not (runs["nb_help"] / "notebooks").exists()


@pytest.mark.parametrize("case,script,args,text", BAD, ids=[b[0] for b in BAD])
def test_bad_argument_is_one_error_line_exit_2(runs, case, script, args, text):
    rc, so, se = runs["out"][case]
    lines = se.strip().splitlines()
    assert "Traceback" not in se, se[-2000:]
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("error: "), (rc, se[-2000:])
    assert text in lines[0], lines[0]
    assert so == ""  # nothing was run
    assert list(runs["cwd"].iterdir()) == []
    assert runs["a_file"].read_text() == "x"


def test_make_notebooks_unwritable_out(runs):
    rc, so, se = runs["out"]["notebooks-unwritable-out"]
    assert rc == 2 and se.startswith("error: ") and len(se.strip().splitlines()) == 1, se
    assert "/proc/notebooks" in se and "Traceback" not in se
    assert not (runs["nb_bad"] / "notebooks").exists()


# ---------------------------------------------------------------- in-process checks of the helpers


def _load(name: str):
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(f"_review8_{name}", SCRIPTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


def test_source_names_are_stripped_and_deduplicated():
    mod = _load("build_dyad_years")
    assert mod.source_list(" atop, trade ,,atop") == ["atop", "trade"]


def test_make_notebooks_main_without_arguments_ignores_sys_argv(tmp_path, monkeypatch):
    """tests/test_notebooks.py calls main() under pytest: it must not parse pytest's own argv."""
    mod = _load("make_notebooks")
    monkeypatch.setattr(sys, "argv", ["pytest", "-q", "--whatever"])
    mod.OUT = tmp_path
    assert mod.main() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_quickstart.ipynb", "02_scenarios.ipynb",
                                                          "03_real_data.ipynb"]


def test_atomic_write_leaves_nothing_half_written(tmp_path):
    cli = _load("_cli")
    target = tmp_path / "out.csv"
    target.write_text("old")

    def broken(tmp):
        Path(tmp).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        cli.atomic_write(target, broken)
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    cli.atomic_write(tmp_path / "new" / "f.csv.gz", lambda t: Path(t).write_text("whole"))
    assert (tmp_path / "new" / "f.csv.gz").read_text() == "whole"
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["f.csv.gz"]


def test_prospective_git_failure_is_a_script_error_not_a_traceback():
    """The error path of part E itself (not only the up-front check of --prospective)."""
    mod = _load("evaluate")
    with pytest.raises(mod._cli.ScriptError, match="nosuchrev.*give a revision"):
        mod.prospective("nosuchrev")
