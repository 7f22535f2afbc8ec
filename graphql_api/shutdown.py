"""Bounded shutdown: each resource gets a few seconds to close, then is left behind.

A process that hangs on exit is worse than one that leaves a socket open: an
orchestrator waits for it, then kills it (SIGKILL) without the rest of the
cleanup. A step that overruns is logged with where it waits, for the operator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

logger = logging.getLogger(__name__)

Step = tuple[str, Callable[[], Awaitable[object]]]


async def close_within(steps: Sequence[Step], seconds: float) -> list[str]:
    """Run `steps` in order, each for at most `seconds`; the names of those that overran."""
    overran: list[str] = []
    for name, step in steps:
        task = asyncio.ensure_future(step())
        done, _ = await asyncio.wait({task}, timeout=seconds)
        if not done:
            overran.append(name)
            # With the tasks that were told to stop and have not: where they hang.
            stuck = [task, *[t for t in asyncio.all_tasks() if t.cancelling()][:5]]
            logger.warning(
                "Shutdown: closing the %s took over %.1fs; left behind. It waited in:\n%s",
                name,
                seconds,
                "\n".join(_where(t) for t in stuck),
            )
            task.cancel()
        elif not task.cancelled() and (error := task.exception()) is not None:
            logger.warning("Shutdown: closing the %s failed: %r", name, error)
    return overran


def _where(task: asyncio.Task) -> str:
    """The task's whole chain of awaits (`Task.get_stack` gives only its first frame)."""
    lines = [f"{task.get_name()}:"]
    awaited = task.get_coro()
    while awaited is not None and (frame := getattr(awaited, "cr_frame", None)) is not None:
        code = frame.f_code
        lines.append(f"  {code.co_filename}:{frame.f_lineno} in {code.co_name}")
        awaited = getattr(awaited, "cr_await", None)
    return "\n".join(lines)
