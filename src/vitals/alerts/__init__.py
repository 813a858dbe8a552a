"""Alerts: rules over the metrics, a persisted state machine per rule and scope, and delivery routes.

``evaluate(settings, as_of)`` is the one entry point the CLI and the server's scheduler call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vitals.alerts.engine import EvalReport, evaluate

__all__ = ["EvalReport", "evaluate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from vitals.alerts import engine

        return getattr(engine, name)
    raise AttributeError(name)
