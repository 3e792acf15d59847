"""Progress bars for long builds: tqdm when installed and on a terminal, else silent."""
from __future__ import annotations

import sys
from typing import Iterable


def progress_bar(it: Iterable, *, desc: str = "", total: int | None = None,
                 enable: bool | None = None) -> Iterable:
    """Wrap ``it`` in a tqdm bar when ``enable`` (default: stderr is a terminal)."""
    if enable is None:
        enable = bool(getattr(sys.stderr, "isatty", lambda: False)())
    if not enable:
        return it
    try:
        from tqdm.auto import tqdm
    except ImportError:  # optional dependency (extra "progress")
        return it
    return tqdm(it, desc=desc, total=total, leave=False)
