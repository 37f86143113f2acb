"""Searching files for the values of a key's credentials: the current git repository's
tracked files, and environment dumps (the output of ``env``, a ``.env`` file, a CI log).

A value is searched as bytes, so a secret inside a binary or oddly encoded file is found
too. Values shorter than :data:`MIN_SECRET_LENGTH` are not searched (they would match by
chance). Hits name the variable and the place, never the value.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from .keycheck import SecretHit

__all__ = ["MIN_SECRET_LENGTH", "git_files", "scan_files"]

MIN_SECRET_LENGTH = 8
_GIT_TIMEOUT_S = 30


def git_files(start: Path) -> tuple[Path, list[Path]] | None:
    """The repository holding ``start`` and its tracked files; ``None`` outside one (or
    without git)."""
    try:
        top = subprocess.run(
            ["git", "-C", str(start), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
        )
        if top.returncode != 0:
            return None
        root = Path(top.stdout.strip())
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z"],
            capture_output=True,
            timeout=_GIT_TIMEOUT_S,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    names = [n for n in listed.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return root, [root / n for n in names]


def _searchable(secrets: Mapping[str, str]) -> dict[str, bytes]:
    return {name: value.encode() for name, value in secrets.items() if len(value) >= MIN_SECRET_LENGTH}


def scan_files(
    paths: Iterable[Path], secrets: Mapping[str, str], *, where: str, relative_to: Path | None = None
) -> list[SecretHit]:
    """Every line of ``paths`` holding one of the ``secrets`` (variable name -> value)."""
    wanted = _searchable(secrets)
    hits: list[SecretHit] = []
    if not wanted:
        return hits
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:  # (a tracked file deleted from the work tree, a directory, no access)
            continue
        shown = str(path.relative_to(relative_to)) if relative_to is not None else str(path)
        for variable, value in wanted.items():
            at = data.find(value)
            while at != -1:  # (one hit per line)
                line = data.count(b"\n", 0, at) + 1
                hits.append(SecretHit(variable=variable, where=where, path=shown, line=line))
                end_of_line = data.find(b"\n", at)
                at = -1 if end_of_line == -1 else data.find(value, end_of_line + 1)
    return hits
