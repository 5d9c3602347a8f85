"""Streaming a long computation: the first part at once, the rest in chunks on the event loop.

A dashboard that retrains when a control moves gives the work as an iterator whose every
``next()`` does one small piece (one epoch of one network, one eps of a sweep) and a
``finish()`` that derives the final results. :meth:`Stream.run`:

- **live** (the run asked for by a control moved in the browser, :meth:`Stream.allowed`,
  with an asyncio loop running and no notebook cell executing: :func:`in_cell`): does the
  first ``at_once`` pieces, then those that fit in ``first_seconds`` since the control
  moved, and returns, so the caller draws the first part;
  the rest runs, after a pause of ``first_pause`` (the first picture travels to the
  browser meanwhile), in chunks of about ``chunk_seconds`` on the kernel's event loop
  (``loop.create_task``, ``await asyncio.sleep(0)`` between chunks, so widget messages are
  handled meanwhile), each chunk followed by ``dashboard.draw()`` and a push, through
  ``dashboard.guard`` (an exception becomes ``.message`` and ends the stream: never a
  traceback). A new run cancels the one still streaming. From the start of such a run
  until its ``finish()``, :attr:`Stream.incomplete` is True: a dashboard draws the
  partial results with axes that only widen, and its last picture with the limits of the
  finished run (the picture the synchronous run gives);
- **otherwise** (tests, scripts, nbval, ``update()`` or a control set from code in a
  cell): all the work at
  once, then ``finish()``: the results are the same as when streamed, since the pieces are
  the same whatever the chunks (``dl.fit(..., history=h)`` continues a run exactly).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator

__all__ = ["Stream", "Streamed", "in_cell"]


def in_cell() -> bool:
    """True while a notebook cell executes: the kernel's current request (its parent
    message, ``Kernel.get_parent()``) is an ``execute_request``. A control set by code in a
    cell then runs at once, so what the cell prints next is the whole result; a control
    moved by the learner arrives as a ``comm_msg``. False outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return False
    parent = kernel.get_parent() or {}
    return parent.get("header", {}).get("msg_type") == "execute_request"


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Stream:
    """Runs one dashboard's work, streamed or at once (see the module docstring)."""

    first_seconds = 0.015  # the work done before the first picture (at least one piece)
    chunk_seconds = 0.1  # the work done between two redraws while streaming
    #: a pause after the first picture: on 2 cores the server and the browser need the
    #: machine to show it, and the next chunk would compete with them
    first_pause = 0.05

    def __init__(self, dashboard) -> None:
        self.dashboard = dashboard
        self.task: asyncio.Task | None = None
        self._allowed = False
        self._since = 0.0
        self._incomplete = False

    @property
    def incomplete(self) -> bool:
        """True from the start of a streamed run until its ``finish()`` has run: the
        results drawn meanwhile are partial (a dashboard may hold its axes still)."""
        return self._incomplete

    @property
    def streaming(self) -> bool:
        """True while the rest of a run is being computed on the event loop."""
        return self.task is not None and not self.task.done()

    @contextlib.contextmanager
    def allowed(self):
        """Within this block a run may stream (a control moved, not ``update()`` from code)."""
        was, self._allowed = self._allowed, True
        self._since = time.perf_counter()
        try:
            yield
        finally:
            self._allowed = was

    def live(self) -> bool:
        return self._allowed and _running_loop() is not None and not in_cell()

    def cancel(self) -> None:
        """Stop the run still streaming (its partial results stay as they are)."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = None

    def run(self, work: Iterator, finish: Callable[[], None], at_once: int = 1) -> bool:
        """Do ``work`` and then ``finish()``; streamed when live, its first ``at_once``
        pieces before the first picture in any case. Returns True when the run is
        complete, False when it continues on the event loop."""
        self.cancel()
        work = iter(work)
        self._incomplete = False
        if not self.live():
            for _ in work:
                pass
            finish()
            return True
        if _advance(work, self._since + self.first_seconds - time.perf_counter(), at_once):
            finish()
            return True
        self._incomplete = True
        self.task = _running_loop().create_task(self._rest(work, finish))
        return False

    async def _rest(self, work: Iterator, finish: Callable[[], None]) -> None:
        d, done = self.dashboard, False
        me = asyncio.current_task()

        def chunk() -> None:
            nonlocal done
            try:
                if _advance(work, self.chunk_seconds):
                    done = True
                    finish()
                    self._incomplete = False
            except BaseException:
                done = True
                raise
            d.draw()

        try:
            await asyncio.sleep(self.first_pause)
            while not done:
                await asyncio.sleep(0)  # let the kernel handle widget messages (a new move)
                if self.task is not me:
                    return
                d.guard(chunk)
        finally:
            if self.task is me:
                self.task = None


class Streamed:
    """A dashboard whose control moves recompute for a while (retraining, a sweep): mix it
    in before :class:`~.base.Dashboard`. Its ``_stream`` is a :class:`Stream`; a control
    move runs within ``_stream.allowed()``, so the work it starts streams when the
    dashboard is on screen; :attr:`streaming` says whether a run is still computed on the
    event loop. ``_compute`` gives the work to ``self._stream.run(work, finish)``."""

    def __init__(self, **config) -> None:
        self._stream = Stream(self)
        super().__init__(**config)

    @property
    def streaming(self) -> bool:
        """True while the rest of a run is still computed on the kernel's event loop."""
        return self._stream.streaming

    def _control_changed(self, name: str) -> None:
        with self._stream.allowed():  # a move streams its work when on screen
            super()._control_changed(name)


def _advance(work: Iterator, seconds: float, at_least: int = 1) -> bool:
    """Take ``at_least`` pieces of ``work``, then more while ``seconds`` have not passed;
    True when the work is done."""
    end = time.perf_counter() + seconds
    taken = 0
    while taken < at_least or time.perf_counter() < end:
        if next(work, _DONE) is _DONE:
            return True
        taken += 1
    return False


_DONE = object()
