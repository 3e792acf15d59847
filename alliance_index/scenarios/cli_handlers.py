"""Handler of ``alliance-index scenario FILE.yaml [--draws N] [--seed S] [--format F] [--data FILE]...``.

Returns the text to print: a table (default), one JSON document (contract §6)
or CSV (long trajectory frame). Errors are library errors (subclasses of
ValueError); the command line prints them on one line and exits with status 2.
"""
from __future__ import annotations

from ..errors import MethodError, ScenarioError
from .spec import ScenarioSet


def cmd_scenario(args) -> str:
    """Run the scenario file ``args.file`` and render it in ``args.format``."""
    fmt = getattr(args, "format", "table") or "table"
    if fmt not in ("table", "json", "csv"):
        raise MethodError(f"unknown format {fmt!r}; choose table, json or csv.")
    draws = getattr(args, "draws", None)
    if draws is not None and draws < 1:
        raise ScenarioError(f"--draws must be >= 1, got {draws}.")
    seed = getattr(args, "seed", None)
    if seed is not None and seed < 0:
        raise ScenarioError(f"--seed must be >= 0, got {seed}.")
    sset = ScenarioSet.from_yaml(args.file)
    data = getattr(args, "data", None)
    obs = None
    if data:
        from ..cli import load_obs

        obs = load_obs(data)
    res = sset.run(obs=obs, draws=draws, seed=seed)
    if fmt == "json":
        return res.to_json()
    if fmt == "csv":
        return res.to_frame().to_csv(index=False, lineterminator="\n", float_format="%.6g").rstrip("\n")
    return res.summary()
