"""Locate bundled data files, installed (wheel) or in a source checkout."""
from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Directory holding the bundled data (catalog.csv, observations/, ...).

    In an installed wheel the repository's ``data/`` folder is installed as the
    package ``alliance_index.data``; in a source checkout it is ``<repo>/data``.
    """
    here = Path(__file__).resolve().parent
    for cand in (here / "data", here.parent / "data"):
        if (cand / "catalog.csv").is_file():
            return cand
    try:  # editable installs map alliance_index.data onto <repo>/data
        import importlib.util

        spec = importlib.util.find_spec("alliance_index.data")
        if spec is not None and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                if (Path(loc) / "catalog.csv").is_file():
                    return Path(loc)
    except (ImportError, ValueError):
        pass
    raise FileNotFoundError(
        "bundled data not found (looked for catalog.csv next to the package and in the "
        "repository's data/ folder); reinstall alliance_index"
    )


def real_data_dir() -> Path | None:
    """The real-data folder (``$ALLIANCE_INDEX_REAL_DATA`` or ``../shared/data/real``), or None."""
    env = os.environ.get("ALLIANCE_INDEX_REAL_DATA")
    cands = [Path(env)] if env else []
    repo = Path(__file__).resolve().parent.parent
    cands += [repo.parent / "shared" / "data" / "real", Path.cwd().parent / "shared" / "data" / "real"]
    for c in cands:
        if c.is_dir():
            return c
    return None


def read_utf8(path, error: type[Exception], what: str = "file") -> str:
    """Read a whole text file as UTF-8 (BOM tolerated), raising ``error`` with one clear line.

    ``what`` names the expected kind of file in the messages (e.g. "CSV file").
    """
    label = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise error(f"{label}: file not found; check the path.") from None
    except IsADirectoryError:
        raise error(f"{label}: is a directory, not a {what}.") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{label}: not UTF-8 (byte {exc.start} cannot be decoded); re-save the file as UTF-8.") from None
