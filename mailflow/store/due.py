"""Ids waiting for a moment, earliest first: what is due without looking at what is not.

A heap of (due, order, id) with the current entry of each id in a dict; an entry that
an id's later ``put`` or ``discard`` made stale stays in the heap and is skipped (and
the heap is rebuilt once stale entries outnumber live ones), so every change costs
O(log n) and finding what is due costs only what is due.
"""

from __future__ import annotations

import heapq


class DueQueue:
    """The ids waiting, each with when it is due and an order among those due together."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, float, str]] = []
        self._current: dict[str, tuple[float, float]] = {}

    def __len__(self) -> int:
        return len(self._current)

    def __contains__(self, key: object) -> bool:
        return key in self._current

    def put(self, key: str, due: float, order: float) -> None:
        """``key`` waits until ``due`` (replacing what it waited for before)."""
        if self._current.get(key) == (due, order):
            return
        self._current[key] = (due, order)
        heapq.heappush(self._heap, (due, order, key))
        if len(self._heap) > 2 * len(self._current) + 64:
            self._heap = [(d, o, k) for k, (d, o) in self._current.items()]
            heapq.heapify(self._heap)

    def discard(self, key: str) -> None:
        """``key`` waits no more (sent, failed, or never queued after all)."""
        self._current.pop(key, None)

    def _live(self, entry: tuple[float, float, str]) -> bool:
        return self._current.get(entry[2]) == entry[:2]

    def earliest(self) -> float | None:
        """When the first id is due, or None when none waits."""
        while self._heap and not self._live(self._heap[0]):
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def due(self, now: float) -> list[str]:
        """The ids due at ``now`` (due <= now), by their order then id; they keep waiting."""
        taken: list[tuple[float, float, str]] = []
        while self._heap and self._heap[0][0] <= now:
            entry = heapq.heappop(self._heap)
            if self._live(entry) and (not taken or taken[-1] != entry):
                taken.append(entry)
        for entry in taken:
            heapq.heappush(self._heap, entry)
        return [key for _, _, key in sorted(taken, key=lambda e: (e[1], e[2]))]
