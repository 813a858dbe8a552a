"""Reading Stripe objects: timestamps, the order of an object's states, and both invoice API shapes.

Stripe redelivers and reorders. Two states of one object are ordered by the object's own clock
first: ``object_ts`` (the greatest of its lifecycle timestamps: an invoice's ``status_transitions``,
a subscription's current period start or ``ended_at``, else ``created``), then ``lifecycle_rank``
(a status only moves forward: draft < open < uncollectible < paid/void), then ``state_ts`` (when
the state was produced: the event's ``created``, or the time the backfill asked the API), then the
time vitals stored it. The greatest key is the object's current state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Obj = Mapping[str, Any]

_LIFECYCLE: dict[str, dict[str, int]] = {
    "invoice": {"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3},
    "subscription": {
        "incomplete": 0,
        "trialing": 1,
        "active": 2,
        "past_due": 2,
        "unpaid": 2,
        "paused": 2,
        "canceled": 3,
        "incomplete_expired": 3,
    },
    "credit_note": {"issued": 0, "void": 1},
    "refund": {"pending": 0, "requires_action": 0, "succeeded": 1, "failed": 1, "canceled": 1},
}
DELETED_RANK = 9
"""A deleted object's last state (``*.deleted`` events) outranks every status."""


MIN_EPOCH = 0
"""The earliest epoch second taken as a time (1970: Stripe has no object older)."""
MAX_EPOCH = 253_402_300_799
"""The last second of year 9999."""


def ts_text(epoch: Any) -> str | None:
    """Epoch seconds (int, or digits) -> ``YYYY-MM-DD HH:MM:SS`` UTC; None for anything else (also for a
    time outside years 1..9999, which no timestamp column holds)."""
    if isinstance(epoch, bool) or epoch is None:
        return None
    if isinstance(epoch, str):
        if not epoch.strip().lstrip("-").isdigit():
            return None
        epoch = int(epoch)
    if not isinstance(epoch, int | float) or not MIN_EPOCH <= epoch <= MAX_EPOCH:
        return None
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d %H:%M:%S")


def state_text(moment: datetime) -> str:
    """A state time (UTC) as fixed-width text with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def epoch_state_text(epoch: int) -> str:
    """An event's ``created`` as state time text."""
    return state_text(datetime.fromtimestamp(epoch, UTC))


def ref_id(value: Any) -> str | None:
    """The id of a reference that may be expanded (``"cus_1"`` or ``{"id": "cus_1", ...}``)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        found = value.get("id")
        return found if isinstance(found, str) and found else None
    return None


def get(obj: Any, *path: str) -> Any:
    """``obj[path[0]][path[1]]...``, None when any step is missing or not a mapping."""
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def list_data(value: Any) -> list[Any]:
    """The items of a Stripe list (``{"object": "list", "data": [...]}``) or a plain list."""
    if isinstance(value, Mapping):
        value = value.get("data")
    return list(value) if isinstance(value, list) else []


def as_int(value: Any) -> int | None:
    """An integer amount (ints, integral floats, digit strings), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


def _max_epoch(values: Iterable[Any]) -> int | None:
    found = [v for v in (as_int(x) for x in values) if v is not None]
    return max(found) if found else None


def object_epoch(obj: Obj) -> int | None:
    """The greatest of the object's own lifecycle timestamps (see the module docstring)."""
    kind = obj.get("object")
    stamps: list[Any] = [obj.get("created")]
    if kind == "invoice":
        transitions = obj.get("status_transitions") or {}
        stamps += [transitions.get(k) for k in ("finalized_at", "paid_at", "voided_at", "marked_uncollectible_at")]
    elif kind == "subscription":
        stamps += [obj.get("start_date"), obj.get("current_period_start"), obj.get("ended_at")]
        stamps += [get(item, "current_period_start") for item in list_data(obj.get("items"))]
    elif kind == "credit_note":
        stamps.append(obj.get("voided_at"))
    return _max_epoch(stamps)


def lifecycle_rank(obj: Obj, deleted: bool = False) -> int:
    """How far along its lifecycle the object's status is (see ``_LIFECYCLE``)."""
    if deleted or obj.get("deleted") is True:
        return DELETED_RANK
    return _LIFECYCLE.get(str(obj.get("object")), {}).get(str(obj.get("status")), 0)


def customer_of(obj: Obj) -> str | None:
    """The customer an object belongs to (a customer is its own)."""
    if obj.get("object") == "customer":
        return ref_id(obj.get("id"))
    return ref_id(obj.get("customer"))


def canonical_json(obj: Any) -> str:
    """Compact JSON with sorted keys: equal objects give equal text (and ``payload_hash``)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(payload: str) -> str:
    """md5 of the canonical JSON of an object."""
    return hashlib.md5(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ObjectState:
    """One stored state of a Stripe object, as the store holds it."""

    object_id: str
    object_type: str
    state_ts: str
    object_ts: str
    lifecycle_rank: int
    received_via: str
    event_id: str | None
    payload: dict[str, Any]
    loaded_at: str = ""
    deleted: bool = False

    @property
    def order_key(self) -> tuple[str, int, str, str]:
        """Greater is newer (see the module docstring)."""
        return (self.object_ts, self.lifecycle_rank, self.state_ts, self.loaded_at)


def latest_states(states: Iterable[ObjectState]) -> dict[str, ObjectState]:
    """The current state of every object id."""
    latest: dict[str, ObjectState] = {}
    for state in states:
        current = latest.get(state.object_id)
        if current is None or state.order_key > current.order_key:
            latest[state.object_id] = state
    return latest
