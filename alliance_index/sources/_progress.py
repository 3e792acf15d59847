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


def blas_single_thread():
    """Context manager limiting BLAS to one thread (threadpoolctl, when installed).

    The per-year matrix products here are small (a few hundred states); on a shared
    or small machine a multi-threaded BLAS spends more time synchronising threads
    than computing (measured: 10× slower under load), so the loops run single-threaded.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
