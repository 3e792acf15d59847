"""Command-line plumbing shared by the scripts in ``scripts/`` (not part of the library).

Every script parses its arguments with :class:`Parser`, so that

* ``--help`` prints the help and exits 0 without doing anything else;
* a bad argument (a missing folder, an output that cannot be written, an unknown git revision,
  an unknown source name, ...) prints ONE line ``error: ...`` on stderr and exits with status 2,
  with no traceback, before any work is done and before anything is written.

Outputs are written with :func:`atomic_write` (a temporary file in the target folder, renamed over
the target once complete), so a failure leaves no half-written file behind.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable

#: exit status of a bad argument (argparse's convention)
EXIT_USAGE = 2


class ScriptError(Exception):
    """A script-level failure caused by the arguments (e.g. ``git show`` of a revision failed);
    ``main`` turns it into one ``error: ...`` line and exit status 2."""


class Parser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose errors are one line ``error: ...`` on stderr, exit 2."""

    def error(self, message: str):  # noqa: D102 (argparse API)
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def fail(message: str) -> int:
    """Print ``error: message`` on stderr (one line) and return the exit status 2."""
    print("error: " + " ".join(str(message).split()), file=sys.stderr)
    return EXIT_USAGE


def existing_dir(text: str) -> Path:
    """argparse ``type``: a folder that exists."""
    p = Path(text).expanduser()
    if not p.is_dir():
        what = "is a file, not a folder" if p.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"folder {str(p)!r} {what}; give an existing folder")
    return p


def _nearest_existing(p: Path) -> Path:
    p = p.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _probe_writable(folder: Path) -> str | None:
    """Why no file can be created in ``folder`` (or None when one can): creates and removes a probe file."""
    if not folder.is_dir():
        return f"{str(folder)!r} is not a folder"
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".write-probe-")
    except OSError as e:
        return f"cannot create a file in {str(folder)!r} ({e.strerror or e})"
    os.close(fd)
    os.unlink(name)
    return None


def writable_dir(text: str) -> Path:
    """argparse ``type``: an output folder that exists and is writable, or can be created."""
    p = Path(text).expanduser()
    if p.exists() and not p.is_dir():
        raise argparse.ArgumentTypeError(f"{str(p)!r} is a file, not a folder; give a folder")
    why = _probe_writable(_nearest_existing(p))
    if why:
        raise argparse.ArgumentTypeError(f"cannot write to {str(p)!r}: {why}; give a writable folder")
    return p


def output_file(suffixes: Iterable[str] | None = None) -> Callable[[str], Path]:
    """argparse ``type``: an output file whose folder exists and is writable (or can be created).

    ``suffixes``, when given, are the accepted endings (e.g. ``(".parquet", ".csv", ".csv.gz")``).
    Nothing is created by the check (a probe file in the nearest existing folder is removed again).
    """
    allowed = tuple(suffixes) if suffixes is not None else None

    def check(text: str) -> Path:
        p = Path(text.strip()).expanduser()
        if not p.name or p.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name")
        if allowed and not p.name.lower().endswith(allowed):
            raise argparse.ArgumentTypeError(f"{text!r} must end in one of {', '.join(allowed)}")
        why = _probe_writable(_nearest_existing(p.parent))
        if why:
            raise argparse.ArgumentTypeError(f"cannot write {str(p)!r}: {why}; give a writable path")
        return p

    return check


def cache_file(text: str) -> Path:
    """argparse ``type``: a cache file that exists (it is read), or a new file that can be written."""
    p = Path(text.strip()).expanduser()
    if p.is_file():
        return p
    return output_file()(text)


def positive_int(text: str) -> int:
    """argparse ``type``: an integer >= 1."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return v


def git_revision(root: Path, needs: Iterable[str] = ()) -> Callable[[str], str]:
    """argparse ``type``: a git revision of the repository at ``root`` that holds every path in ``needs``."""
    needs = tuple(needs)

    def check(text: str) -> str:
        rev = text.strip()
        if not rev or rev.startswith("-"):
            raise argparse.ArgumentTypeError(f"{text!r} is not a git revision")
        try:
            r = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                               capture_output=True, text=True)
        except OSError as e:
            raise argparse.ArgumentTypeError(f"cannot run git to look up {rev!r} ({e})") from None
        if r.returncode != 0:
            raise argparse.ArgumentTypeError(
                f"unknown git revision {rev!r} in {root}; give a commit (e.g. from `git log --oneline`)")
        for path in needs:
            if subprocess.run(["git", "-C", str(root), "cat-file", "-e", f"{rev}:{path}"],
                              capture_output=True).returncode != 0:
                raise argparse.ArgumentTypeError(
                    f"git revision {rev!r} has no {path}; give a later revision that has it")
        return rev

    return check


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path`` (same ending), then rename it to ``path``.

    The folder is created if needed. If ``write`` fails, the temporary file is removed and ``path`` is
    left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = "".join(path.suffixes[-2:]) if path.name.lower().endswith(".gz") else path.suffix
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; give the file the mode open() would
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
