"""remember (dlcourse.widgets.lru): a bounded cache, least recently used dropped first."""

from collections import OrderedDict

from dlcourse.widgets.lru import remember


def test_values_are_made_once_and_the_least_recently_used_goes_first():
    cache, made = OrderedDict(), []

    def make(key):
        return lambda: made.append(key) or key * 10

    assert [remember(cache, k, make(k), limit=2) for k in (1, 2, 1)] == [10, 20, 10]
    assert made == [1, 2]  # 1 came from the cache the second time
    remember(cache, 3, make(3), limit=2)  # 2 was used least recently: dropped
    assert list(cache) == [1, 3]
    assert remember(cache, 2, make(2), limit=2) == 20 and made == [1, 2, 3, 2]
    assert list(cache) == [3, 2]
