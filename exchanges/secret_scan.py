"""Searching for the values of a key's credentials: the current git repository's tracked
files and its history (a secret committed once stays in every clone even after the file is
gone), and environment dumps (the output of ``env``, a ``.env`` file, a CI log).

A value is searched as bytes, so a secret inside a binary or oddly encoded file is found
too. Values shorter than :data:`MIN_SECRET_LENGTH` are not searched (they would match by
chance); the search says so, and the check warns. A value never goes on a command line (a
process list shows those): git's history is read as a patch stream and searched here. Hits
name the variable and the place, never the value.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .keycheck import MIN_SECRET_LENGTH, SecretHit

__all__ = ["MIN_SECRET_LENGTH", "SecretSearch", "git_files", "git_history", "scan_files", "search_for"]

_GIT_TIMEOUT_S = 30
_HISTORY_TIMEOUT_S = 120
_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_COMMIT_MARK = b"\x01"


class GitUnavailable(Exception):
    """git could not be run, or its history not read in time; the message says which."""


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


class _Patches:
    """Follows ``git log -p``: the commit, the file and the new-side line of each added line."""

    def __init__(self) -> None:
        self.commit = ""
        self.path = ""
        self.line = 0
        self.left_old = self.left_new = 0
        self.commits = 0

    def added(self, raw: bytes) -> bytes | None:
        """The text of ``raw`` if it is a line the commit added (and moves along)."""
        if self.left_old or self.left_new:  # inside a hunk: its counts say where it ends
            mark = raw[:1]
            if mark == b"+":
                self.left_new -= 1
                self.line += 1
                return raw[1:]
            if mark == b"-":
                self.left_old -= 1
            elif mark == b" ":
                self.left_old -= 1
                self.left_new -= 1
                self.line += 1
            return None
        if raw.startswith(_COMMIT_MARK):
            self.commit = raw[1:].strip().decode("ascii", "replace")
            self.commits += 1
        elif raw.startswith(b"+++ "):
            name = raw[4:].rstrip(b"\r\n")
            self.path = "" if name == b"/dev/null" else name.removeprefix(b"b/").decode("utf-8", "replace")
        elif raw.startswith(b"@@ "):
            hunk = _HUNK.match(raw)
            if hunk is not None:
                self.left_old = int(hunk.group(1) or b"1")
                self.line = int(hunk.group(2)) - 1
                self.left_new = int(hunk.group(3) or b"1")
        return None


def git_history(root: Path, secrets: Mapping[str, str]) -> tuple[list[SecretHit], int]:
    """Lines that added one of ``secrets`` in any commit reachable from any ref (one hit per
    variable, file and commit), and how many commits were read."""
    wanted = _searchable(secrets)
    command = [
        "git", "-C", str(root), "log", "--all", "-p", "--no-color", "--no-ext-diff", "--no-textconv",
        "--no-renames", f"--format=format:{_COMMIT_MARK.decode()}%H",
    ]  # fmt: skip
    deadline = time.monotonic() + _HISTORY_TIMEOUT_S
    hits: dict[tuple[str, str, str], SecretHit] = {}
    patches = _Patches()
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as git:
            assert git.stdout is not None
            for raw in git.stdout:
                text = patches.added(raw)
                if text is not None and wanted:
                    for variable, value in wanted.items():
                        place = (variable, patches.commit, patches.path)
                        if value in text and place not in hits:
                            hits[place] = SecretHit(
                                variable=variable,
                                where="git history",
                                path=patches.path,
                                line=patches.line,
                                commit=patches.commit,
                            )
                if time.monotonic() > deadline:
                    git.kill()
                    raise GitUnavailable(f"the history of {root} was not read within {_HISTORY_TIMEOUT_S} s")
            if git.wait() != 0:
                raise GitUnavailable(f"git log failed in {root}")
    except OSError as err:
        raise GitUnavailable(f"git cannot be run: {err.strerror}") from None
    return list(hits.values()), patches.commits


@attrs.frozen(kw_only=True)
class SecretSearch:
    """What a search found, where it looked, where it did not (``skipped``: on purpose;
    ``broken``: it could not), and which credentials were too short to look for."""

    hits: tuple[SecretHit, ...] = ()
    searched: Mapping[str, str] = attrs.field(factory=dict)
    skipped: Mapping[str, str] = attrs.field(factory=dict)
    broken: Mapping[str, str] = attrs.field(factory=dict)
    unsearched: tuple[str, ...] = ()

    def report_fields(self) -> dict[str, Any]:
        """The keyword arguments of :func:`exchanges.check_key` this search fills."""
        return {
            "hits": self.hits,
            "searched": self.searched,
            "skipped": self.skipped,
            "broken": self.broken,
            "unsearched": self.unsearched,
        }


def search_for(
    secrets: Mapping[str, str], *, repo: Path | None = None, dumps: Sequence[Path] = ()
) -> SecretSearch:
    """Search the git repository around ``repo`` (its tracked files and its history; ``None``
    leaves git out) and each of ``dumps`` for ``secrets`` (variable name -> value)."""
    hits: list[SecretHit] = []
    searched: dict[str, str] = {}
    skipped: dict[str, str] = {}
    broken: dict[str, str] = {}
    if repo is None:
        skipped["git"] = skipped["git history"] = "--no-git given"
    else:
        found = git_files(repo)
        if found is None:
            reason = f"{repo} is not in a git repository (or git cannot be run); --no-git leaves git out"
            broken["git"] = broken["git history"] = reason
        else:
            root, files = found
            hits += scan_files(files, secrets, where="git", relative_to=root)
            searched["git"] = f"{len(files)} tracked files of {root}"
            try:
                history, commits = git_history(root, secrets)
            except GitUnavailable as err:
                broken["git history"] = str(err)
            else:
                hits += history
                searched["git history"] = f"{commits} commits of {root} (every ref)"
    if dumps:
        hits += scan_files(dumps, secrets, where="env dump")
        searched["env dump"] = ", ".join(str(p) for p in dumps)
    else:
        skipped["env dump"] = "no --env-dump FILE given"
    short = tuple(sorted(name for name, value in secrets.items() if len(value) < MIN_SECRET_LENGTH))
    return SecretSearch(hits=tuple(hits), searched=searched, skipped=skipped, broken=broken, unsearched=short)
