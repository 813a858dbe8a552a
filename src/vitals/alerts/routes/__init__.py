"""Delivery routes: each turns a notification into one attempt at its destination's own format."""

from __future__ import annotations

from vitals.alerts.routes.base import Route, build_route

__all__ = ["Route", "build_route"]
