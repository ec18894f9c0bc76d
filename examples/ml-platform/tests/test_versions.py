"""Property-based tests (hypothesis) of the version rules; no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ml.versions import newest, parse

part = st.integers(min_value=0, max_value=10_000)


@given(part, part, part)
def test_parse_round_trips(major, minor, patch):
    assert parse(f"{major}.{minor}.{patch}") == (major, minor, patch)


@given(st.lists(st.tuples(part, part, part), min_size=1))
def test_newest_is_the_largest_triple(triples):
    versions = [".".join(map(str, t)) for t in triples]
    assert parse(newest(versions)) == max(triples)


@pytest.mark.parametrize("bad", ["1.2", "1.2.x", "", "v1.2.3"])
def test_not_a_version(bad):
    with pytest.raises(ValueError):
        parse(bad)
