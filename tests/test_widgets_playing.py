"""PlayLoop (dlcourse.widgets.playing): frames on the event loop until stopped or done."""

import asyncio

from dlcourse.widgets.playing import PlayLoop


class _Dashboard:
    """What PlayLoop needs of a dashboard: guard (errors become the message)."""

    def __init__(self):
        self.message = ""

    def guard(self, fn):
        try:
            fn()
        except Exception as exc:
            self.message = str(exc)


def _loop(frames_until_done=None, fail_at=None):
    d, seen = _Dashboard(), {"frames": 0, "changes": []}

    def frame():
        seen["frames"] += 1
        if seen["frames"] == fail_at:
            raise ValueError("frame failed")

    def keep_going():
        return frames_until_done is None or seen["frames"] < frames_until_done

    player = PlayLoop(d, frame, keep_going, lambda: seen["changes"].append(player.playing), 0.0)
    return d, player, seen


def test_without_a_running_loop_nothing_starts():
    d, player, seen = _loop()
    assert player.start() is False
    assert not player.playing and player.task is None and seen == {"frames": 0, "changes": []}


def test_it_plays_until_keep_going_says_no():
    d, player, seen = _loop(frames_until_done=5)

    async def main():
        assert player.start() and player.playing
        assert player.start()  # a second start while playing: the same task
        task = player.task
        await task
        return task

    asyncio.run(main())
    assert seen["frames"] == 5 and not player.playing and player.task is None
    assert seen["changes"] == [True, False]


def test_stop_ends_it_between_frames_and_a_new_start_is_not_undone():
    d, player, seen = _loop()

    async def main():
        player.start()
        for _ in range(3):
            await asyncio.sleep(0)
        old = player.task
        player.stop()
        assert not player.playing and player.task is None
        player.start()  # at once: the old task ends after this
        new = player.task
        await asyncio.sleep(0)
        assert old.cancelled() or old.done()
        assert player.playing and player.task is new  # the old task's end left it alone
        player.stop()
        await asyncio.sleep(0)

    asyncio.run(main())
    assert not player.playing and seen["frames"] >= 2
    assert seen["changes"].count(True) == 2 and seen["changes"][-1] is False


def test_a_failing_frame_becomes_the_message_and_play_goes_on():
    d, player, seen = _loop(frames_until_done=4, fail_at=2)

    async def main():
        player.start()
        await player.task

    asyncio.run(main())
    assert d.message == "frame failed" and seen["frames"] == 4
