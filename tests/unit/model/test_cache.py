import sys

from hypothesis import given
from hypothesis import strategies as st

from functions.scoring.cache import SizedCache


def _size(key: str, value: str) -> int:
    return sys.getsizeof(key) + sys.getsizeof(value)


def test_a_hit_returns_the_remembered_value_without_computing_again() -> None:
    cache: SizedCache[str, str] = SizedCache(10_000, _size)
    calls: list[str] = []

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert cache.get_or_add("late", compute) == "LATE"
    assert cache.get_or_add("late", compute) == "LATE"
    assert calls == ["late"]


def test_the_oldest_entries_go_once_the_budget_is_passed() -> None:
    budget = 40 * _size("word00", "WORD00")
    cache: SizedCache[str, str] = SizedCache(budget, _size)
    for number in range(100):
        cache.get_or_add(f"word{number:02}", str.upper)
    assert cache.bytes_held <= budget
    assert 0 < len(cache) < 40
    assert cache.get_or_add("word99", lambda _key: "recomputed") == "WORD99"
    assert cache.get_or_add("word00", lambda _key: "recomputed") == "recomputed"


def test_an_entry_over_a_tenth_of_the_budget_is_returned_but_not_kept() -> None:
    cache: SizedCache[str, str] = SizedCache(1_000, _size)
    assert cache.get_or_add("x" * 200, str.upper) == "X" * 200
    assert len(cache) == 0
    assert cache.bytes_held == 0


@given(st.lists(st.text(max_size=60), max_size=200), st.integers(500, 5_000))
def test_held_bytes_never_pass_the_budget(keys: list[str], budget: int) -> None:
    cache: SizedCache[str, str] = SizedCache(budget, _size)
    for key in keys:
        assert cache.get_or_add(key, str.upper) == key.upper()
    assert cache.bytes_held <= budget
