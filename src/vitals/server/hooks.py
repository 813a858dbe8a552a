"""Extension points the scheduler calls: alert evaluation and the weekly digest.

Another module fills them, e.g.::

    from vitals.server.hooks import alerts

    @alerts.register
    def evaluate(settings: Settings) -> None: ...

Empty registries make their jobs no-ops. Hooks run in registration order; the first failure stops
the run and is the job's error (the job is retried at its next tick).
"""

from __future__ import annotations

from collections.abc import Callable

from vitals.config import Settings

Hook = Callable[[Settings], None]


class HookRegistry:
    """An ordered list of hooks for one job."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._hooks: list[Hook] = []

    def register(self, hook: Hook) -> Hook:
        """Add a hook (usable as a decorator); adding the same one twice keeps one."""
        if hook not in self._hooks:
            self._hooks.append(hook)
        return hook

    def unregister(self, hook: Hook) -> None:
        """Remove a hook if present."""
        if hook in self._hooks:
            self._hooks.remove(hook)

    @property
    def hooks(self) -> list[Hook]:
        """The registered hooks, in order."""
        return list(self._hooks)

    def run(self, settings: Settings) -> int:
        """Call every hook; return how many ran."""
        for hook in self.hooks:
            hook(settings)
        return len(self._hooks)


alerts = HookRegistry("alerts")
"""Called every ``serve.alerts_interval_minutes`` (the alerts engine registers its evaluator here)."""

digest = HookRegistry("digest")
"""Called weekly at ``serve.digest_weekday`` ``serve.digest_time`` business time (the weekly digest)."""
