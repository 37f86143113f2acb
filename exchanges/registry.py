"""Venues by configuration: ``connect("kucoin", base_url=...)`` returns an ``Exchange``.

Adapters register through the ``exchanges.venues`` entry point group: each entry point
names a :class:`VenueSpec` (the venue's options and a factory), loaded by name when first
asked for. This package therefore imports no adapter, and a third-party adapter package
plugs in by declaring one entry point, with no change here.

Options are checked against the venue's declared :class:`VenueOption` list before the
factory runs, so a typo or a wrong type fails with the option's name, never deep inside an
adapter. Secret options (credentials) are accepted only as keyword arguments of
:func:`connect` or from the venue's own environment variables: never from a mapping, a TOML
file or the ``EXCHANGES_*`` variables, and no message ever repeats their values.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs

from .protocol import Exchange

__all__ = [
    "ENTRY_POINT_GROUP",
    "ConfigurationError",
    "UnknownVenue",
    "VenueOption",
    "VenueSpec",
    "connect",
    "connect_from",
    "connect_from_env",
    "connect_from_toml",
    "register_venue",
    "venue_names",
    "venue_spec",
    "venue_table",
]

ENTRY_POINT_GROUP = "exchanges.venues"
ENV_PREFIX = "EXCHANGES_"

#: What a venue factory receives: checked options, and the environment to read credentials from.
Factory = Callable[[Mapping[str, Any], Mapping[str, str]], Exchange]


class ConfigurationError(ValueError):
    """A venue configuration that cannot be used; the message names the venue and option."""


class UnknownVenue(ConfigurationError):
    """No registered venue has this name."""


_KIND_TEXT: Mapping[type, str] = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string",
    Decimal: 'a decimal amount (a string such as "0.001", or a whole number)',
    dict: "a table of names to values",
}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@attrs.frozen(slots=True, kw_only=True)
class VenueOption:
    """One option a venue takes. ``kind`` is ``bool``, ``int``, ``float``, ``str``,
    ``Decimal``, ``dict`` (a table whose values are decimal amounts or strings), or any
    other class: an object (a transport, a clock) that only code can pass."""

    name: str
    kind: type
    help: str = ""
    secret: bool = False

    @property
    def from_text(self) -> bool:
        return self.kind in _KIND_TEXT

    def describe(self) -> str:
        return _KIND_TEXT.get(self.kind, f"a {self.kind.__name__} object (from code only)")


@attrs.frozen(slots=True, kw_only=True)
class VenueSpec:
    """A venue the registry can open: its name, options, credentials and factory."""

    name: str
    factory: Factory = attrs.field(repr=False)
    options: tuple[VenueOption, ...] = ()
    #: Environment variables holding the venue's credentials (read by the factory).
    credential_env: tuple[str, ...] = ()
    #: Those of them whose values are secret: a key check searches files for them.
    secret_env: tuple[str, ...] = ()
    summary: str = ""

    def option(self, name: str) -> VenueOption | None:
        for option in self.options:
            if option.name == name:
                return option
        return None


_registered: dict[str, VenueSpec] = {}
_loaded: dict[str, VenueSpec] = {}


def register_venue(spec: VenueSpec, *, replace: bool = False) -> None:
    """Make ``spec`` available without an entry point (plugins loaded by hand, tests)."""
    if not isinstance(spec, VenueSpec):
        raise TypeError(f"expected a VenueSpec, got {type(spec).__name__}")
    if spec.name in _registered and not replace:
        raise ConfigurationError(f"venue {spec.name!r} is already registered")
    _registered[spec.name] = spec


def _entry_points() -> dict[str, metadata.EntryPoint]:
    return {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def venue_names() -> list[str]:
    """Every venue that can be opened: registered by hand or by entry point."""
    return sorted(set(_registered) | set(_entry_points()))


def venue_spec(name: str) -> VenueSpec:
    """The spec of venue ``name``, loading its entry point on first use."""
    if not isinstance(name, str):
        raise UnknownVenue(f"a venue name is a string such as 'paper', got {type(name).__name__}")
    if name in _registered:
        return _registered[name]
    if name in _loaded:
        return _loaded[name]
    entry = _entry_points().get(name)
    if entry is None:
        known = ", ".join(venue_names()) or "none"
        hint = difflib.get_close_matches(name, venue_names(), n=1)
        guess = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise UnknownVenue(f"unknown venue {name!r}{guess}; known venues: {known}")
    try:
        spec = entry.load()
    except Exception as err:
        raise ConfigurationError(
            f"venue {name!r}: its entry point {entry.value!r} failed to load: {type(err).__name__}: {err}"
        ) from err
    if not isinstance(spec, VenueSpec) or spec.name != name:
        raise ConfigurationError(
            f"venue {name!r}: entry point {entry.value!r} must name a VenueSpec called {name!r}"
        )
    _loaded[name] = spec
    return spec


# --- checking options --------------------------------------------------------------------------


def _kind_of(value: object) -> str:
    return "a boolean" if isinstance(value, bool) else f"a {type(value).__name__}"


def _bad(spec: VenueSpec, option: VenueOption, got: str) -> ConfigurationError:
    return ConfigurationError(f"{spec.name} option {option.name}: expected {option.describe()}, got {got}")


def _shown(option: VenueOption, value: object) -> str:
    return "a value (hidden: it is secret)" if option.secret else f"{_kind_of(value)} {value!r}"


def _decimal(spec: VenueSpec, option: VenueOption, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _bad(spec, option, _shown(option, value))
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise _bad(spec, option, _shown(option, value)) from None
    if not number.is_finite():
        raise _bad(spec, option, _shown(option, value))
    return number


def _table(spec: VenueSpec, option: VenueOption, value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(spec, option, _shown(option, value))
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise _bad(spec, option, f"a key {key!r}")
        if isinstance(item, bool) or not isinstance(item, Decimal | int | str):
            raise ConfigurationError(
                f"{spec.name} option {option.name}.{key}: expected a string or a whole number "
                f'(amounts are written as strings, such as "0.5"), got {_kind_of(item)} {item!r}'
            )
        out[key] = item
    return out


def _check_value(spec: VenueSpec, option: VenueOption, value: object) -> Any:
    kind = option.kind
    if kind is bool:
        if not isinstance(value, bool):
            raise _bad(spec, option, _shown(option, value))
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(spec, option, _shown(option, value))
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(spec, option, _shown(option, value))
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise _bad(spec, option, _shown(option, value))
        return value
    if kind is Decimal:
        return _decimal(spec, option, value)
    if kind is dict:
        return _table(spec, option, value)
    if not isinstance(value, kind):
        raise _bad(spec, option, _shown(option, value))
    return value


def _from_text(spec: VenueSpec, option: VenueOption, text: str) -> Any:
    """An option's value written as text (an environment variable, a command-line flag)."""
    if not option.from_text:
        raise ConfigurationError(
            f"{spec.name} option {option.name}: {option.describe()}, not settable as text"
        )
    word = text.strip()
    kind = option.kind
    try:
        if kind is bool:
            if word.lower() in _TRUE:
                return True
            if word.lower() in _FALSE:
                return False
            raise ValueError
        if kind is int:
            return int(word)
        if kind is float:
            return float(word)
        if kind is Decimal:
            return _decimal(spec, option, word)
        if kind is dict:
            pairs = [item.partition("=") for item in word.split(",") if item.strip()]
            if any(not sep or not key.strip() for key, sep, _ in pairs):
                raise ValueError
            return {key.strip(): value.strip() for key, _, value in pairs}
    except ValueError:
        shown = "(hidden: it is secret)" if option.secret else repr(text)
        form = " (NAME=VALUE,NAME=VALUE)" if kind is dict else ""
        raise ConfigurationError(
            f"{spec.name} option {option.name}: expected {option.describe()}{form}, got {shown}"
        ) from None
    return text


def _unknown_option(spec: VenueSpec, name: str) -> ConfigurationError:
    names = [o.name for o in spec.options]
    hint = difflib.get_close_matches(name, names, n=1)
    guess = f" (did you mean {hint[0]!r}?)" if hint else ""
    listed = ", ".join(names) or "none"
    return ConfigurationError(f"{spec.name}: unknown option {name!r}{guess}; its options: {listed}")


def check_options(spec: VenueSpec, options: Mapping[str, Any], *, secrets_allowed: bool) -> dict[str, Any]:
    """``options`` checked against ``spec``: each known, of its kind, secrets only where allowed."""
    checked: dict[str, Any] = {}
    for name, value in options.items():
        option = spec.option(name) if isinstance(name, str) else None
        if option is None:
            raise _unknown_option(spec, str(name))
        if option.secret and not secrets_allowed:
            where = ", ".join(spec.credential_env) or "the environment"
            raise ConfigurationError(
                f"{spec.name} option {name}: a secret is not read from configuration; "
                f"set it in {where} (or pass it to connect() from code)"
            )
        checked[name] = _check_value(spec, option, value)
    return checked


def _open(spec: VenueSpec, options: dict[str, Any], environ: Mapping[str, str] | None) -> Exchange:
    env = os.environ if environ is None else environ
    try:
        exchange = spec.factory(options, env)
    except ConfigurationError:
        raise
    except (TypeError, ValueError) as err:
        raise ConfigurationError(f"{spec.name}: {err}") from None
    return exchange


# --- the four ways in --------------------------------------------------------------------------


def connect(venue: str, /, *, environ: Mapping[str, str] | None = None, **options: Any) -> Exchange:
    """Open ``venue`` with ``options`` (credentials from ``environ``, default ``os.environ``)."""
    spec = venue_spec(venue)
    return _open(spec, check_options(spec, options, secrets_allowed=True), environ)


def connect_from(mapping: Mapping[str, Any], *, environ: Mapping[str, str] | None = None) -> Exchange:
    """Open the venue a mapping describes: ``{"venue": "kucoin", "base_url": ...}``. A mapping
    without ``venue`` opens ``paper``, so a configuration never trades live by accident."""
    if not isinstance(mapping, Mapping):
        raise ConfigurationError(f"a venue configuration is a table, got {type(mapping).__name__}")
    options = dict(mapping)
    name = options.pop("venue", "paper")
    spec = venue_spec(name)
    return _open(spec, check_options(spec, options, secrets_allowed=False), environ)


def venue_table(path: str | Path, table: str | None = None) -> Mapping[str, Any]:
    """A TOML file's table (dotted names reach nested tables; ``None``: the whole file)."""
    try:
        data: Any = tomllib.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigurationError(f"cannot read {path}: {err}") from None
    for part in table.split(".") if table else ():
        if not isinstance(data, Mapping) or part not in data:
            raise ConfigurationError(f"{path}: no table [{table}]")
        data = data[part]
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"{path}: [{table}] is not a table")
    return data


def connect_from_toml(
    path: str | Path, table: str | None = None, *, environ: Mapping[str, str] | None = None
) -> Exchange:
    """Open the venue a TOML file's table describes (see :func:`connect_from`)."""
    return connect_from(venue_table(path, table), environ=environ)


def connect_from_env(environ: Mapping[str, str] | None = None, *, prefix: str = ENV_PREFIX) -> Exchange:
    """Open the venue named by ``EXCHANGES_VENUE`` (``paper`` when unset) with options from
    ``EXCHANGES_<OPTION>`` variables (``EXCHANGES_BASE_URL=http://127.0.0.1:8080``)."""
    env = os.environ if environ is None else environ
    spec = venue_spec(env.get(f"{prefix}VENUE") or "paper")
    options: dict[str, Any] = {}
    for variable, text in env.items():
        if not variable.startswith(prefix) or variable == f"{prefix}VENUE":
            continue
        name = variable[len(prefix) :].lower()
        option = spec.option(name)
        if option is None:
            raise ConfigurationError(f"{variable}: {_unknown_option(spec, name)}")
        options[name] = _from_text(spec, option, text)
    return _open(spec, check_options(spec, options, secrets_allowed=False), env)


def parse_option_text(spec: VenueSpec, assignment: str) -> tuple[str, Any]:
    """``"timeout=5"`` -> ``("timeout", 5.0)`` for ``spec`` (command-line ``--option``)."""
    name, sep, text = assignment.partition("=")
    name = name.strip()
    option = spec.option(name)
    if not sep or not name:
        raise ConfigurationError(f"an option is written NAME=VALUE, got {assignment!r}")
    if option is None:
        raise _unknown_option(spec, name)
    return name, _from_text(spec, option, text)
