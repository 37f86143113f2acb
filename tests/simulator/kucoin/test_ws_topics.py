"""The served topic table against KuCoin's spec (re-derived when ../shared is present)."""

from __future__ import annotations

import json

import pytest

from simulator.kucoin.ws_topics import NOT_PRODUCED, TOPICS, TopicError, parse_topic

from .ws_spec_tools import WS_SCHEMA_FILE, derive_topics, derive_ws_schemas, ws_spec_available

needs_spec = pytest.mark.skipif(
    not ws_spec_available(),
    reason="../shared/kucoin-spec is absent (a fresh clone): nothing to re-derive from",
)


@needs_spec
def test_every_spot_topic_of_the_spec_is_served_or_named_as_not_produced() -> None:
    spec = derive_topics()
    served = set()
    for topic, (subject, private) in spec.items():
        prefix = topic.partition(":")[0] + (":" if ":" in topic else "")
        if prefix in NOT_PRODUCED:
            assert prefix not in TOPICS
            continue
        kind = TOPICS[prefix]
        assert kind.private is private, topic
        if topic.endswith(":all"):
            assert kind.allows_all and subject == "BTC-USDT"  # (each symbol its own subject)
        else:
            assert kind.subject == subject, topic
        served.add(prefix)
    assert served == set(TOPICS)


@needs_spec
def test_ws_schemas_match_the_spec() -> None:
    assert json.loads(WS_SCHEMA_FILE.read_text()) == derive_ws_schemas()


def test_a_topic_names_up_to_the_limit_of_subjects() -> None:
    kind, subjects = parse_topic("/market/match:A-B,C-D", max_subjects=2)
    assert (kind.prefix, subjects) == ("/market/match:", ["A-B", "C-D"])
    with pytest.raises(TopicError) as refused:
        parse_topic("/market/match:A-B,C-D,E-F", max_subjects=2)
    assert refused.value.code == 509
    with pytest.raises(TopicError) as refused:
        parse_topic("/market/candles:A-B_1min,C-D_1min", max_subjects=5)  # (one series per topic)
    assert refused.value.code == 400
    kind, subjects = parse_topic("/account/balance", max_subjects=1)
    assert (kind.private, subjects) == (True, [""])
