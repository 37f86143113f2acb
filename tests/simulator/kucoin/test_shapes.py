"""The example matcher itself: what it finds wanting, and what it lets pass."""

from __future__ import annotations

from typing import Any

from .shapes import Layout, Verdict, hold, key_paths, skeleton

EXAMPLE = {
    "code": "200000",
    "data": {"items": [{"id": "1", "stp": None, "size": "0.1", "tags": ["a"]}], "lastId": 7},
}


def _problems(served: Any, example: Any = EXAMPLE, **kw: Any) -> list[str]:
    verdict = Verdict()
    hold(served, example, verdict, **kw)
    return verdict.problems


def test_key_paths_follow_the_first_element_of_arrays() -> None:
    assert key_paths(EXAMPLE) == {
        "code": "string", "data": "object", "data.items": "array", "data.items[]": "object",
        "data.items[].id": "string", "data.items[].stp": "null", "data.items[].size": "string",
        "data.items[].tags": "array", "data.items[].tags[]": "string", "data.lastId": "number",
    }  # fmt: skip


def test_a_body_like_the_example_with_extra_keys_passes_and_meets_every_path() -> None:
    verdict = Verdict()
    served = {"code": "200000", "data": {"items": [{"id": "9", "stp": None, "size": "2", "tags": [], "x": 1}],
                                         "lastId": 8, "more": True}}  # fmt: skip
    hold(served, EXAMPLE, verdict)
    assert verdict.problems == []
    assert verdict.met == set(key_paths(EXAMPLE)) - {"data.items[].tags[]"}  # (served empty)


def test_missing_keys_wrong_types_and_a_value_where_null_belongs_are_found() -> None:
    served = {"code": "200000", "data": {"items": [{"id": 9, "stp": "", "tags": None}, {"id": "2"}]}}
    assert _problems(served) == [
        "data.items[].id: example has string, served number (9)",
        "data.items[].stp: example has null, served string ('')",
        "data.items[].size: missing",
        "data.items[].tags: example has array, served null (None)",
        "data.items[].stp: missing",
        "data.items[].size: missing",
        "data.items[].tags: missing",
        "data.lastId: missing",
    ]


def test_an_allowed_type_passes_only_where_it_is_allowed() -> None:
    served = {"code": "200000", "data": {"items": [{"id": "1", "stp": "CN", "size": "1", "tags": []}],
                                         "lastId": "7"}}  # fmt: skip
    assert _problems(served, allowed={"data.items[].stp": "string"}) == [
        "data.lastId: example has number, served string ('7')"
    ]


def test_maps_and_row_kinds() -> None:
    prices = {"code": "200000", "data": {"AGLD": "1.1", "DFI": "0.01"}}
    maps = Layout(maps=frozenset({"data"}))
    assert key_paths(prices, maps) == {"code": "string", "data": "object", "data.*": "string"}
    assert _problems({"code": "200000", "data": {"BTC": "65000", "ETH": 3}}, prices, layout=maps) == [
        "data.*: example has string, served number (3)"
    ]
    batch = {"data": [{"orderId": "1", "success": True}, {"success": False, "failMsg": "no"}]}
    rows = Layout(variants={"data": "success"})
    assert set(key_paths(batch, rows)) == {
        "data", "data[success=true]", "data[success=true].orderId", "data[success=true].success",
        "data[success=false]", "data[success=false].success", "data[success=false].failMsg",
    }  # fmt: skip
    served = {"data": [{"success": False, "failMsg": "x"}, {"success": True}, {"success": None}]}
    assert _problems(served, batch, layout=rows) == [
        "data[success=true].orderId: missing",
        "data[success=null]: no such row in the example",
    ]


BATCH = {"code": "200000", "data": [
    {"success": True, "orderId": "1", "clientOid": "a"},
    {"success": False, "failMsg": "no", "clientOid": None},
]}  # fmt: skip
BY_CURRENCY = {"code": "200000", "data": {"BTC": "60000", "ETH": "3000"}}
CANDLES = {"code": "200000", "data": [["1", "2"], ["3", "4"]], "empty": [], "none": {}}


def test_a_skeleton_has_the_examples_key_paths_and_types_and_none_of_its_data() -> None:
    for example, layout in (
        (EXAMPLE, Layout()),
        (BATCH, Layout(variants={"data": "success"})),
        (BY_CURRENCY, Layout(maps=frozenset({"data"}))),
        (CANDLES, Layout()),
    ):
        paths = key_paths(example, layout)
        blank = skeleton(paths)
        assert key_paths(blank, layout) == paths
        assert _problems(example, blank, layout=layout) == []
        assert "60000" not in str(blank) and "orderId': '1'" not in str(blank)
    assert skeleton(key_paths(BATCH, Layout(variants={"data": "success"})))["data"][1]["success"] is False


def test_a_body_missing_a_key_fails_against_the_skeleton_as_against_the_example() -> None:
    blank = skeleton(key_paths(EXAMPLE))
    served = {"code": "200000", "data": {"items": [{"id": "9", "size": "1", "tags": []}], "lastId": 1}}
    assert _problems(served, blank) == _problems(served) == ["data.items[].stp: missing"]
