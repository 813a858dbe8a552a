"""A terminal progress display for loads (rich, on stderr); silent when disabled."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class LoadProgress:
    """Steps (a spinner until done) and row counters (a bar when the total is known)."""

    def __init__(self, enabled: bool) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not enabled,
        )

    def __enter__(self) -> LoadProgress:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._progress.stop()

    def step(self, description: str) -> Callable[[], None]:
        """Show a step in progress; call the returned function when it is done."""
        task = self._progress.add_task(description, total=None)

        def done() -> None:
            self._progress.update(task, total=1, completed=1)

        return done

    def rows(self, description: str, total: int | None) -> RowCounter:
        """A row counter; call it with the rows each batch moved."""
        return RowCounter(self._progress, self._progress.add_task(description, total=total))


class RowCounter:
    """Advances one progress task by rows."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def __call__(self, rows: int) -> None:
        self._progress.advance(self._task, rows)

    def update(self, completed: int, total: int) -> None:
        """Show ``completed`` of ``total`` rows."""
        self._progress.update(self._task, completed=completed, total=total)

    def complete(self) -> None:
        """Show the task as done (rows dropped as in-load duplicates are never moved)."""
        task = next(t for t in self._progress.tasks if t.id == self._task)
        self._progress.update(self._task, completed=task.total if task.total is not None else task.completed)
