import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def real_data():
    """Path of ../shared/data/real (or $ALLIANCE_INDEX_REAL_DATA); skip when absent."""
    from alliance_index._resources import real_data_dir

    p = real_data_dir()
    if p is None:
        pytest.skip("real datasets not present (../shared/data/real or $ALLIANCE_INDEX_REAL_DATA)")
    return p


@pytest.fixture
def run_cli():
    """Run the installed console script (or the module) and return the CompletedProcess."""

    def run(*args, input=None):
        cmd = [sys.executable, "-m", "alliance_index.cli", *args]
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        return subprocess.run(cmd, capture_output=True, text=True, input=input, env=env, timeout=300)

    return run


def has_classifier() -> bool:
    """The classifier and its shipped fitted models are part of this version."""
    try:
        from alliance_index.models import load_fitted
    except ImportError:
        return False
    try:
        load_fitted()
    except FileNotFoundError:
        return False
    return True
