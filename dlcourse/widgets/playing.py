"""Playing: a dashboard's frame, again and again on the kernel's event loop, until paused.

The Playground and the TrainingDashboard train while the learner watches: each *frame*
trains a little and pushes a picture. :class:`PlayLoop` runs the frames as one asyncio task
(``loop.create_task``), with a short ``await asyncio.sleep`` between two frames so that
the kernel handles widget messages meanwhile (a slider moved, pause pressed). Each frame
runs through ``dashboard.guard``: an exception becomes the dashboard's message, never
a traceback. Playing stops when :meth:`PlayLoop.stop` is called, or when ``keep_going()``
says so before a frame (the run diverged, reached its end, failed). Each frame's picture
reaches the browser as the value of the dashboard's Image.

Without a running event loop (a script, nbval) :meth:`PlayLoop.start` starts nothing and
says so; the dashboard then trains synchronously instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["PlayLoop"]


class PlayLoop:
    """Runs ``frame()`` through ``dashboard.guard`` while playing and ``keep_going()``;
    ``on_change()`` is called whenever ``playing`` changes (to update a play button)."""

    def __init__(
        self,
        dashboard,
        frame: Callable[[], None],
        keep_going: Callable[[], bool],
        on_change: Callable[[], None],
        pause_seconds: float = 0.005,
    ) -> None:
        self.dashboard = dashboard
        self.frame, self.keep_going, self.on_change = frame, keep_going, on_change
        self.pause_seconds = pause_seconds  #: the sleep between two frames
        self.playing = False
        self.task: asyncio.Task | None = None

    def start(self) -> bool:
        """Start playing (a no-op while playing); False when there is no running event
        loop to play on (nothing started)."""
        if self.playing:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self.playing = True
        self.on_change()
        self.task = loop.create_task(self._play())
        return True

    def stop(self) -> None:
        """Stop playing: the frame in progress ends (at once between frames)."""
        self.playing = False
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = None
        self.on_change()

    async def _play(self) -> None:
        me = asyncio.current_task()
        try:
            while self.playing and self.keep_going():
                self.dashboard.guard(self.frame)
                await asyncio.sleep(self.pause_seconds)
        finally:
            if self.task is me or self.task is None:  # not replaced by a new start()
                self.playing = False
                self.task = None
                self.on_change()
