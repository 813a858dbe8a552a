"""The HubSpot CRM API through the official SDK, answering HubSpot's own JSON.

Every call asks the SDK for the raw response (``_preload_content=False``) and decodes its JSON, so the
rest of the pull reads the documented shapes (``results``, ``paging.next.after``, ``propertiesWithHistory``,
``archivedAt``). A 429 or 5xx answer is retried ``RETRIES`` times, waiting ``Retry-After`` (at most
``MAX_WAIT`` seconds) or a growing back-off; any other refusal is a ``HubSpotError`` that says what to do.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import urllib3

from vitals.ingest.errors import LoadError

RETRIES = 5
"""Attempts per request on 429 and 5xx answers."""
MAX_WAIT = 30.0
"""Longest wait between two attempts, whatever ``Retry-After`` says."""
SEARCH_WINDOW = 10_000
"""HubSpot's search answers at most this many results per query (later pages are refused)."""

Json = dict[str, Any]


class HubSpotError(LoadError):
    """HubSpot refused a request or could not be reached; nothing of the failed page was landed."""


@dataclass(frozen=True)
class ObjectType:
    """A CRM object type: its API name, its SDK package and the property dating its last change."""

    name: str
    package: str
    """The SDK module with this type's APIs and models (e.g. ``hubspot.crm.deals``)."""
    modified_property: str = "hs_lastmodifieddate"

    def sdk(self) -> Any:
        """The SDK module."""
        return importlib.import_module(self.package)


DEALS = ObjectType("deals", "hubspot.crm.deals")
COMPANIES = ObjectType("companies", "hubspot.crm.companies")
CONTACTS = ObjectType("contacts", "hubspot.crm.contacts", modified_property="lastmodifieddate")
TICKETS = ObjectType("tickets", "hubspot.crm.tickets")
CALLS = ObjectType("calls", "hubspot.crm.objects.calls")
EMAILS = ObjectType("emails", "hubspot.crm.objects.emails")
MEETINGS = ObjectType("meetings", "hubspot.crm.objects.meetings")
NOTES = ObjectType("notes", "hubspot.crm.objects.notes")


class HubSpotApi:
    """The calls the pull makes, each returning HubSpot's JSON."""

    def __init__(self, token: str, api_base: str, timeout: float) -> None:
        from hubspot import HubSpot

        self._client = HubSpot(access_token=token, host=api_base.rstrip("/"))
        self._token = token
        self._base = api_base.rstrip("/")
        self._timeout = timeout
        self._apis: dict[tuple[str, str], Any] = {}

    def search(
        self, kind: ObjectType, properties: Sequence[str], since_ms: int | None, after: str | None, limit: int
    ) -> Json:
        """One page of ``kind`` modified at or after ``since_ms`` (all when None), oldest change first."""
        sdk = kind.sdk()
        modified = kind.modified_property
        groups = []
        if since_ms is not None:
            bound = sdk.Filter(property_name=modified, operator="GTE", value=str(since_ms))
            groups.append(sdk.FilterGroup(filters=[bound]))
        request = sdk.PublicObjectSearchRequest(
            filter_groups=groups,
            sorts=[{"propertyName": modified, "direction": "ASCENDING"}],
            properties=[*properties, modified],
            limit=limit,
            after=after,
        )
        api = self._api(kind, "search_api")
        return self._call(
            f"searching {kind.name}", lambda: api.do_search(public_object_search_request=request, **self._raw)
        )

    def read(
        self, kind: ObjectType, ids: Sequence[str], properties: Sequence[str], history: Sequence[str] = ()
    ) -> list[Json]:
        """The objects ``ids`` with ``properties``, and the full history of the ``history`` ones."""
        if not ids:
            return []
        sdk = kind.sdk()
        request = sdk.BatchReadInputSimplePublicObjectId(
            inputs=[sdk.SimplePublicObjectId(id=i) for i in ids],
            properties=list(properties),
            properties_with_history=list(history) or None,
        )
        api = self._api(kind, "batch_api")
        found = self._call(
            f"reading {kind.name}",
            lambda: api.read(batch_read_input_simple_public_object_id=request, archived=False, **self._raw),
        )
        return _objects(found)

    def archived(self, kind: ObjectType, properties: Sequence[str], after: str | None, limit: int) -> Json:
        """One page of the archived (deleted) objects of ``kind``."""
        api = self._api(kind, "basic_api")
        return self._call(
            f"listing archived {kind.name}",
            lambda: api.get_page(limit=limit, after=after, properties=list(properties), archived=True, **self._raw),
        )

    def associations(self, source: ObjectType, target: ObjectType, ids: Sequence[str]) -> dict[str, str]:
        """Each id's associated ``target`` object: the one labelled primary, else the lowest id."""
        if not ids:
            return {}
        from hubspot.crm.associations.v4 import (
            BatchInputPublicFetchAssociationsBatchRequest,
            PublicFetchAssociationsBatchRequest,
        )

        request = BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in ids]
        )
        api = self._apis.get(("associations", "v4"))
        if api is None:
            api = self._apis[("associations", "v4")] = self._client.crm.associations.v4.batch_api
        found = self._call(
            f"reading the {target.name} of {source.name}",
            lambda: api.get_page(
                from_object_type=source.name,
                to_object_type=target.name,
                batch_input_public_fetch_associations_batch_request=request,
                **self._raw,
            ),
        )
        chosen: dict[str, str] = {}
        for result in _objects(found):
            origin = str((result.get("from") or {}).get("id", ""))
            targets = [t for t in result.get("to") or [] if isinstance(t, Mapping) and t.get("toObjectId") is not None]
            if origin and targets:
                chosen[origin] = str(min(targets, key=_association_rank)["toObjectId"])
        return chosen

    def pipelines(self, kind: ObjectType) -> list[Json]:
        """The pipelines of ``kind`` with their stages."""
        api = self._apis.get(("pipelines", kind.name))
        if api is None:
            api = self._apis[("pipelines", kind.name)] = self._client.crm.pipelines.pipelines_api
        return _objects(
            self._call(f"reading the {kind.name} pipelines", lambda: api.get_all(object_type=kind.name, **self._raw))
        )

    @property
    def _raw(self) -> dict[str, Any]:
        return {"_preload_content": False, "_request_timeout": self._timeout}

    def _api(self, kind: ObjectType, name: str) -> Any:
        key = (kind.name, name)
        if key not in self._apis:
            discovery = self._client.crm
            for part in kind.package.removeprefix("hubspot.crm.").split("."):
                discovery = getattr(discovery, part)
            self._apis[key] = getattr(discovery, name)
        return self._apis[key]

    def _call(self, what: str, request: Callable[[], Any]) -> Json:
        """Run ``request``, retrying 429 and 5xx answers; HubSpot's JSON body, or ``HubSpotError``."""
        for attempt in range(1, RETRIES + 1):
            try:
                response = request()
            except urllib3.exceptions.HTTPError as exc:
                raise HubSpotError(
                    f"cannot reach HubSpot at {self._base} while {what}: {self._safe(str(exc))}"
                ) from exc
            except Exception as exc:
                status = getattr(exc, "status", None)
                if not isinstance(status, int) or not type(exc).__module__.startswith("hubspot."):
                    raise
                if (status == 429 or status >= 500) and attempt < RETRIES:
                    time.sleep(_wait(getattr(exc, "headers", None), attempt))
                    continue
                raise self._refusal(what, status, getattr(exc, "body", None)) from None
            return _json(response, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def _refusal(self, what: str, status: int, body: Any) -> HubSpotError:
        detail = self._safe(_message(body))
        if status == 401:
            return HubSpotError(
                f"HubSpot refused the token (401) while {what}: {detail}. Set VITALS_HUBSPOT_TOKEN to the access "
                "token of a private app (Settings > Integrations > Private apps)."
            )
        if status == 403:
            return HubSpotError(
                f"HubSpot refused {what} (403): {detail}. Give the private app the read scopes listed in "
                "docs/sources.md (HubSpot)."
            )
        if status == 429:
            return HubSpotError(
                f"HubSpot kept answering 429 (rate limit) while {what}, {RETRIES} attempts; run again later."
            )
        return HubSpotError(f"HubSpot answered {status} while {what}: {detail}")

    def _safe(self, message: str) -> str:
        return message.replace(self._token, "***") if self._token else message


def _association_rank(target: Mapping[str, Any]) -> tuple[int, int]:
    labels = [t.get("label") for t in target.get("associationTypes") or [] if isinstance(t, Mapping)]
    primary = 0 if any(isinstance(label, str) and label.lower() == "primary" for label in labels) else 1
    try:
        number = int(target["toObjectId"])
    except (TypeError, ValueError):
        number = 0
    return primary, number


def _objects(body: Json) -> list[Json]:
    return [item for item in body.get("results") or [] if isinstance(item, dict)]


def _json(response: Any, what: str) -> Json:
    try:
        body = json.loads(response.data or b"{}")
    except ValueError as exc:
        raise HubSpotError(f"HubSpot answered {what} with something that is not JSON") from exc
    finally:
        release = getattr(response, "release_conn", None)
        if release is not None:
            release()
    if not isinstance(body, dict):
        raise HubSpotError(f"HubSpot answered {what} with {type(body).__name__}, not a JSON object")
    return body


def _message(body: Any) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        found = json.loads(body) if isinstance(body, str) else None
    except ValueError:
        found = None
    if isinstance(found, Mapping) and isinstance(found.get("message"), str):
        return str(found["message"])
    return "no detail"


def _wait(headers: Mapping[str, str] | None, attempt: int) -> float:
    given = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after") or ""
    try:
        return max(0.0, min(float(given), MAX_WAIT))
    except ValueError:
        return min(0.5 * 2**attempt, MAX_WAIT)


def paged(fetch: Callable[[str | None], Json]) -> Iterable[list[Json]]:
    """Each page's objects, following ``paging.next.after`` to the end."""
    after: str | None = None
    while True:
        page = fetch(after)
        objects = _objects(page)
        if objects:
            yield objects
        following = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not following or following == after:
            return
        after = str(following)
