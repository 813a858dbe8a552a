"""The dashboard's routes: login and logout, the static files, and one route (plus CSV downloads) per page.

Every page request opens a warehouse connection the way the API does (``connect``), resolves the session
cookie to its API token and reads through that token's ``Scope``: the same roles and org scoping as the API.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import duckdb
import psycopg.errors
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from vitals.api.alerts import acknowledge_incident, silence_rule
from vitals.api.auth import WarehouseFactory, audit_hook, client_address
from vitals.api.routes.campaigns import start_for
from vitals.api.scope import ROLE_FEATURES, BadRequest, Forbidden, NotFound, Scope
from vitals.api.tokens import TokenRecord
from vitals.config import Settings
from vitals.dashboard.datasets import Table
from vitals.dashboard.filters import Filters
from vitals.dashboard.model_docs import add_model_docs_route
from vitals.dashboard.registry import CUSTOMER_ROLE, Page, home_path, pages
from vitals.dashboard.render import STATIC, render
from vitals.dashboard.sessions import COOKIE, SessionStore
from vitals.dashboard.view import View
from vitals.errors import Conflict
from vitals.metrics.catalog import CatalogError
from vitals.warehouse.base import Warehouse, WarehouseError

log = logging.getLogger("vitals.dashboard")
NOT_BUILT = (duckdb.CatalogException, psycopg.errors.UndefinedTable)
FORM_BYTES = 4096
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".md": "text/markdown", ".svg": "image/svg+xml"}
SILENCE_HOURS = (1, 4, 24)
"""How long the incident banner's silence button holds a rule."""


class Dashboard:
    """The dashboard over a settings object and a warehouse connection factory."""

    def __init__(self, settings: Settings, connect: WarehouseFactory) -> None:
        self.settings = settings
        self.connect = connect

    # -- sessions -----------------------------------------------------------------------------------------
    def login_page(self, request: Request, error: str = "", status: int = 200) -> HTMLResponse:
        target = _safe_next(request.query_params.get("next"))
        return HTMLResponse(render("login.html", {"error": error, "next": target}), status)

    def login(self, request: Request, token: str, next_url: str) -> Response:
        if not _same_origin(request):
            return HTMLResponse(render("login.html", {"error": "cross-site login refused", "next": "/"}), 403)
        wh = self.connect()
        try:  # a new login ends the session the browser had (sessions do not pile up)
            made = SessionStore(wh).login(
                token, self.settings.dashboard.session_hours, replaces=request.cookies.get(COOKIE)
            )
        finally:
            wh.close()
        if made is None:
            error = "That token is unknown or revoked. Paste a token made by `vitals tokens create`."
            return HTMLResponse(render("login.html", {"error": error, "next": _safe_next(next_url)}), 401)
        target = _safe_next(next_url)
        if target == "/":  # no page asked for: the role's home
            target = home_path(made[0].role, made[0].org_id)
        response = RedirectResponse(target, 303)
        response.set_cookie(
            COOKIE,
            made[1],
            max_age=self.settings.dashboard.session_hours * 3600,
            httponly=True,
            samesite="strict",
            secure=self.settings.dashboard.secure_cookie,
            path="/",
        )
        return response

    def logout(self, request: Request) -> Response:
        if not _same_origin(request):
            return Response("cross-site logout refused", 403)
        wh = self.connect()
        try:
            SessionStore(wh).logout(request.cookies.get(COOKIE))
        finally:
            wh.close()
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    # -- pages --------------------------------------------------------------------------------------------
    def serve(self, page: Page, request: Request, action: Callable[[Page, View, TokenRecord], Response]) -> Response:
        """Authenticate, build the page's view and answer with ``action``; errors become a page that says
        what went wrong."""
        wh = self.connect()
        try:
            token = SessionStore(wh).resolve(request.cookies.get(COOKIE))
            if token is None:
                return RedirectResponse("/login?next=" + quote(_here(request), safe=""), 303)
            if not page.customer and token.role == CUSTOMER_ROLE:
                home = home_path(token.role, token.org_id)
                return self.error(
                    request, token, 403, f"Not for this token: an org token opens its own org's page only ({home})."
                )
            try:
                scope = Scope(token, wh, audit_hook(wh, token, client_address(request)))
                view = View.open(scope, dict(request.query_params), self.settings, dict(request.path_params))
                view.runtime = getattr(request.app.state, "runtime", None)
                return action(page, view, token)
            except NOT_BUILT as exc:
                first = str(exc).strip().splitlines()[0][:200]
                return self.error(request, token, 503, f"The warehouse is not built yet ({first}): run `vitals build`.")
            except Forbidden as exc:
                return self.error(request, token, 403, f"Not for this token: {exc}.")
            except (NotFound, CatalogError) as exc:
                return self.error(request, token, 404, f"Not found: {exc}.")
            except BadRequest as exc:
                return self.error(request, token, 400, f"Bad filter: {exc}.")
            except WarehouseError as exc:
                log.warning("dashboard %s: %s", request.url.path, exc)
                return self.error(request, token, 503, f"The warehouse cannot be read right now: {exc}")
        finally:
            wh.close()

    def html(self, page: Page, view: View, token: TokenRecord) -> Response:
        content = page.build(view)
        csv_base = page.csv_path.format(**view.params, dataset_id="")
        context = {
            **self.chrome(token, view, page),
            **content.context,
            "datasets": {d.id: d for d in content.datasets},
            "csv_url": lambda dataset_id: csv_base + quote(dataset_id) + view.filters.query(),
        }
        return HTMLResponse(render(page.template, context))

    def csv(self, page: Page, view: View, token: TokenRecord) -> Response:
        dataset_id = view.params.pop("dataset_id")
        content = page.build(view)
        found = content.dataset(dataset_id)
        if found is None:
            raise NotFound(f"the {page.title} page has no dataset {dataset_id!r}")
        table = found if isinstance(found, Table) else found.table()
        name = f"{page.slug}-{dataset_id}.csv"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(table.csv(), media_type="text/csv; charset=utf-8", headers=headers)

    def chrome(self, token: TokenRecord | None, view: View | None, page: Page | None) -> dict[str, Any]:
        """The base layout's variables: nav, filters, refresh and the last-updated stamp."""
        role = token.role if token else ""
        customer = role == CUSTOMER_ROLE
        orgs = view.orgs() if view and not customer else []
        return {
            "nav": _nav(token, view, page),
            "home": home_path(role, token.org_id) if token else "/",
            "current": page,
            "token": token,
            "filters": view.filters if view else Filters(),
            "latest": view.latest if view else None,
            "notices": view.notices if view else [],
            "org_options": orgs,
            "plan_options": sorted({o["plan"] for o in orgs if o["plan"]}),
            "org_locked": customer,
            "refresh_seconds": self.settings.dashboard.refresh_seconds,
            "updated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "can_silence": bool(token and "silences" in ROLE_FEATURES.get(token.role, frozenset())),
            "can_start_campaigns": bool(token and "campaigns" in ROLE_FEATURES.get(token.role, frozenset())),
        }

    # -- alerts -------------------------------------------------------------------------------------------
    def silence(self, request: Request, form: dict[str, str]) -> Response:
        """Silence a firing alert from a page's incident banner (admin, cs, oncall; audited like the API's
        silences), then go back to the page."""

        def act(scope: Scope, token: TokenRecord) -> None:
            try:
                hours = int(form.get("hours", ""))
            except ValueError:
                raise BadRequest("hours must be a whole number") from None
            if hours not in SILENCE_HOURS:
                raise BadRequest(f"hours must be one of {', '.join(map(str, SILENCE_HOURS))}")
            silence_rule(
                scope,
                self.settings,
                form.get("rule", ""),
                org=form.get("org") or None,
                duration=timedelta(hours=hours),
                comment=form.get("comment") or f"silenced from the dashboard by {token.name}",
            )

        return self._post_action(request, form, "silence", act)

    def acknowledge(self, request: Request, form: dict[str, str]) -> Response:
        """Acknowledge a firing alert from a page's incident banner (admin, cs, oncall; audited like the API's),
        then go back to the page."""

        def act(scope: Scope, token: TokenRecord) -> None:
            acknowledge_incident(
                scope,
                self.settings,
                form.get("rule", ""),
                org=form.get("org") or None,
                comment=form.get("comment") or f"acknowledged from the dashboard by {token.name}",
            )

        return self._post_action(request, form, "acknowledgement", act)

    def start_campaign(self, request: Request, form: dict[str, str]) -> Response:
        """Start a retention campaign from the customer success page's form (admin, cs; audited like the API's),
        then go back to the page."""

        def act(scope: Scope, token: TokenRecord) -> None:
            start_for(scope, self.settings, form.get("org", ""), form.get("kind", ""), form.get("channel", ""))

        return self._post_action(request, form, "campaign", act)

    def _post_action(
        self, request: Request, form: dict[str, str], what: str, act: Callable[[Scope, TokenRecord], None]
    ) -> Response:
        """Run a form's ``act`` for the logged-in token (same-origin posts only), answer its refusal as a page,
        else go back to the page it came from."""
        if not _same_origin(request):
            return Response("cross-site request refused", 403, media_type="text/plain")
        wh = self.connect()
        try:
            token = SessionStore(wh).resolve(request.cookies.get(COOKIE))
            if token is None:
                return RedirectResponse("/login", 303)
            try:
                act(Scope(token, wh, audit_hook(wh, token, client_address(request))), token)
            except Forbidden as exc:
                return self.error(request, token, 403, f"Not for this token: {exc}.")
            except Conflict as exc:
                return self.error(request, token, 409, f"Nothing to do: {exc}.")
            except (BadRequest, NotFound) as exc:
                return self.error(request, token, 400, f"Bad {what}: {exc}.")
        finally:
            wh.close()
        return RedirectResponse(_safe_next(form.get("next")), 303)

    def error(self, request: Request, token: TokenRecord | None, status: int, message: str) -> HTMLResponse:
        context = {**self.chrome(token, None, None), "status": status, "message": message}
        return HTMLResponse(render("error.html", context), status)


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
"""Sent with every dashboard answer: scripts only from the dashboard itself (everything is vendored), no
framing by another site (clickjacking), no content sniffing, no URL leaking to other sites. Inline styles
stay allowed: the heat maps shade their cells with a ``style`` attribute."""


class DashboardRoute(APIRoute):
    """A dashboard route: every answer carries ``SECURITY_HEADERS``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def secured(request: Request) -> Response:
            response = await handler(request)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return secured


def create_dashboard_router(settings: Settings, connect: WarehouseFactory | None = None) -> APIRouter:
    """The dashboard at ``/``: ``/login``, ``/logout``, ``/static/...`` and every registered page."""
    from vitals.warehouse import open_warehouse

    def default_connect() -> Warehouse:
        return open_warehouse(settings)

    dash = Dashboard(settings, connect or default_connect)
    router = APIRouter(include_in_schema=False, route_class=DashboardRoute)

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return dash.login_page(request)

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(dash.login, request, form.get("token", ""), form.get("next", "/"))

    @router.post("/logout")
    def logout(request: Request) -> Response:
        return dash.logout(request)

    @router.post("/alerts/silence")
    async def silence(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(dash.silence, request, form)

    @router.post("/campaigns/start")
    async def start_campaign(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(dash.start_campaign, request, form)

    @router.post("/alerts/acknowledge")
    async def acknowledge(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(dash.acknowledge, request, form)

    @router.get("/static/{path:path}")
    def static(path: str) -> Response:
        try:  # a NUL byte (``/static/x%00``) or an over-long name is no file of ours
            target = (STATIC / path).resolve()
            found = target.is_file() and STATIC.resolve() in target.parents
        except (ValueError, OSError):
            found = False
        if not found:
            return Response("not found", 404, media_type="text/plain")
        media = STATIC_TYPES.get(target.suffix, "application/octet-stream")
        return FileResponse(target, media_type=media, headers={"Cache-Control": "public, max-age=3600"})

    for page in pages():
        _add_page(router, dash, page)
    add_model_docs_route(router, dash.connect)
    return router


def _nav(token: TokenRecord | None, view: View | None, page: Page | None) -> list[NavLink]:
    """The nav's links: the pages the token's role may open (an org token: its own org's page)."""
    if token is None:
        return []
    links = [
        NavLink(p.title, p.path, page is not None and p.slug == page.slug) for p in pages() if p.in_nav(token.role)
    ]
    if token.role == CUSTOMER_ROLE and token.org_id:
        here = page is not None and page.slug == "org"
        links.insert(0, NavLink("Usage and reliability", home_path(token.role, token.org_id), here))
    return links


@dataclass(frozen=True)
class NavLink:
    """One link of the nav (the filters are added by the template)."""

    title: str
    path: str
    current: bool = False


def _add_page(router: APIRouter, dash: Dashboard, page: Page) -> None:
    def show(request: Request) -> Response:
        return dash.serve(page, request, dash.html)

    def download(request: Request) -> Response:
        return dash.serve(page, request, dash.csv)

    router.add_api_route(page.path, show, methods=["GET"], response_class=HTMLResponse, name=f"dashboard.{page.slug}")
    router.add_api_route(page.csv_path, download, methods=["GET"], name=f"dashboard.{page.slug}.csv")


async def _form(request: Request) -> dict[str, str]:
    """The fields of a small url-encoded form post (first value of each; at most ``FORM_BYTES`` read)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {k: v[0] for k, v in fields.items() if v}


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _same_origin(request: Request) -> bool:
    """Whether a form post comes from the dashboard itself (browsers send ``Origin`` on POST): the same
    scheme and host (``http://`` from a page served over ``https://`` is another origin)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return parts.scheme == request.url.scheme and parts.netloc == request.headers.get("host")
