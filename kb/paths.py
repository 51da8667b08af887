"""Where the project's files are, and how to show a path independently of the checkout's location."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1024)
def display_path(path: str | Path) -> str:
    """A path relative to the project root when it lies inside it (stable across clones)."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
