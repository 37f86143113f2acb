"""Fast construction of frozen, slotted attrs models (``exchanges.Order`` on the hot path).

A frozen attrs class's ``__init__`` sets every field through ``object.__setattr__`` with
keyword arguments: about 3 us for ``Order``'s 26 fields, which was a tenth of a paper
place-and-cancel. The builder made here fills a new instance of a private subclass that
adds no fields and keeps ``object``'s own ``__setattr__`` (so each field is a plain slot
store, which the interpreter specialises), then sets the instance's ``__class__`` to the
model itself (allowed because the two share one layout). The result is an ordinary
instance of the model, made in about a fifth of the time: ``type(x) is cls``, equal,
hashed, printed, pickled, copied, evolved and frozen exactly like one made by
``__init__``. Only classes whose ``__init__`` would do nothing more (no converters,
validators or post-init hook) are accepted; ``tests/simulator/test_builders.py`` compares both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

__all__ = ["compile_function", "template_builder"]


def compile_function(source: str, name: str, namespace: Mapping[str, object]) -> Callable[..., Any]:
    """The function ``name`` that ``source`` defines, run with ``namespace`` as its globals:
    code written once, at import, from one declaration (the technique attrs uses for
    ``__init__``), so that a hot path reads fields by name without a loop over them."""
    scope = dict(namespace)
    exec(source, scope)
    function = scope[name]
    assert callable(function)
    return function


def template_builder(cls: type[Any], varying: Sequence[str]) -> Callable[..., Any]:
    """``build(fixed, *values)``: a new ``cls`` whose fields named in ``varying`` are
    ``values`` (in that order) and whose other fields are the tuple ``fixed`` (in the
    order of ``attrs.fields(cls)``), so that what two snapshots of one object share can
    be computed once. Converters are bypassed, as the point is to skip ``__init__``: the
    venue passes values already of the converted type (``Decimal`` amounts); validators,
    which would guard something, are refused."""
    fields = attrs.fields(cls)
    if "__slots__" not in cls.__dict__ or hasattr(cls, "__attrs_post_init__"):
        raise TypeError(f"{cls.__name__}: only slotted attrs classes without a post-init hook")
    for field in fields:
        if field.validator is not None:
            raise TypeError(f"{cls.__name__}.{field.name}: validators are not supported")
    names = [field.name for field in fields]
    unknown = set(varying) - set(names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
    writable = type(
        f"_Writable{cls.__name__}",
        (cls,),
        {"__slots__": (), "__setattr__": object.__setattr__, "__delattr__": object.__delattr__},
    )
    fixed_names = [name for name in names if name not in varying]
    lines = [
        f"def build(fixed, {', '.join(varying)}):",
        f"    ({''.join(f'_{name}, ' for name in fixed_names)}) = fixed",  # (one unpacking)
        "    self = _new(_writable)",
    ]
    lines.extend(f"    self.{name} = {name if name in varying else '_' + name}" for name in names)
    lines += ["    self.__class__ = _cls", "    return self"]
    build = compile_function(
        "\n".join(lines), "build", {"_new": object.__new__, "_writable": writable, "_cls": cls}
    )
    build.__qualname__ = build.__name__ = f"build_{cls.__name__}"
    return build
