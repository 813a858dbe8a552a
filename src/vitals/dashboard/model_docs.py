"""``/models-docs/``: the dbt docs site of the models (lineage, columns, metrics, exposures) for logged-in users.

The page is dbt's own single-file site, so it runs inline scripts: it is served with a policy of its own that
sandboxes it (an opaque origin: its scripts can reach neither the dashboard's cookies nor the API) and lets it
load nothing from anywhere.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from vitals.api.auth import WarehouseFactory
from vitals.dashboard.sessions import COOKIE, SessionStore
from vitals.warehouse.base import WarehouseError
from vitals.warehouse.model_docs import docs_page

PATH = "/models-docs/"

DOCS_HEADERS = {
    "Content-Security-Policy": (
        "sandbox allow-scripts allow-popups; default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'none'"
    ),
    "Cache-Control": "private, max-age=300",
}


def add_model_docs_route(router: APIRouter, connect: WarehouseFactory) -> None:
    """Serve the docs site at ``PATH`` to a browser with a live dashboard session (others go to the login)."""

    def logged_in(request: Request) -> bool:
        wh = connect()
        try:
            return SessionStore(wh).resolve(request.cookies.get(COOKIE)) is not None
        finally:
            wh.close()

    @router.get(PATH)
    async def model_docs(request: Request) -> Response:
        if not await run_in_threadpool(logged_in, request):
            return RedirectResponse("/login?next=" + quote(PATH, safe=""), 303)
        try:  # generated on first use (a few seconds), then kept for this version of the models
            page = await run_in_threadpool(docs_page)
        except WarehouseError as exc:
            return Response(f"The models' docs are not available: {exc}", 503, media_type="text/plain")
        return FileResponse(page, media_type="text/html; charset=utf-8", headers=DOCS_HEADERS)
