"""The venue's fast builder of frozen attrs models against the models' own ``__init__``."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import attrs
import pytest

from exchanges import Order, OrderStatus, OrderType, Side, TimeInForce
from simulator.venue.builders import template_builder

VARYING = ("status", "filled_size", "filled_funds", "fee", "updated_at")


def test_a_built_order_is_an_order_made_by_init() -> None:
    fields = {
        "id": "65a1b2c3d4e5f60718293a4b",
        "symbol": "BTC/USDT",
        "side": Side.BUY,
        "type": OrderType.LIMIT,
        "status": OrderStatus.OPEN,
        "client_order_id": "c1",
        "price": Decimal("50000.1"),
        "size": Decimal("0.001"),
        "funds": Decimal("50.0001"),
        "filled_size": Decimal(0),
        "filled_funds": Decimal(0),
        "fee": Decimal(0),
        "fee_currency": "USDT",
        "time_in_force": TimeInForce.GTC,
        "created_at": 1_700_000_000_000,
        "updated_at": 1_700_000_000_001,
    }
    made = Order(**fields)  # type: ignore[arg-type]
    build = template_builder(Order, VARYING)
    fixed = tuple(getattr(made, f.name) for f in attrs.fields(Order) if f.name not in VARYING)
    built = build(fixed, *(getattr(made, name) for name in VARYING))
    assert type(built) is Order and built == made and hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert pickle.loads(pickle.dumps(built)) == made and copy.copy(built) == made
    assert attrs.evolve(built, status=OrderStatus.CANCELED) == attrs.evolve(made, status=OrderStatus.CANCELED)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.status = OrderStatus.FILLED  # type: ignore[misc]
    with pytest.raises(ValueError, match="not enough values"):
        build(fixed[:-1], *(getattr(made, name) for name in VARYING))  # a field short


def test_only_plain_slotted_models_are_accepted() -> None:
    @attrs.frozen(slots=True)
    class Checked:
        x: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.frozen(slots=True)
    class Hooked:
        x: int

        def __attrs_post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="validators"):
        template_builder(Checked, ())
    with pytest.raises(TypeError, match="post-init"):
        template_builder(Hooked, ())
    with pytest.raises(TypeError, match="no fields"):
        template_builder(Order, ("nope",))
