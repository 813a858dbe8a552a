"""Exports: ``GET /export/{mart}.csv`` and ``GET /export/{mart}.parquet``, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from vitals.api.auth import ApiContext, ContextDep, ScopeDep, TokenDep, audit_hook, client_address
from vitals.api.export import MEDIA_TYPES, Format, encode, plan_export
from vitals.api.route_class import ApiRoute
from vitals.api.scope import Scope
from vitals.api.tokens import TokenRecord

router = APIRouter(route_class=ApiRoute, tags=["exports"])


CSV_FORMULAS = "csv_formulas"
"""The query parameter that keeps formula-like CSV cells as they are; never a filter."""


def _stream(
    ctx: ApiContext,
    token: TokenRecord,
    client: str,
    mart: str,
    filters: dict[str, str],
    fmt: Format,
    keep_formulas: bool,
) -> Iterator[bytes]:
    """Open a connection of its own (the request's closes before the body is sent) and stream the rows."""
    warehouse = ctx.connect()
    try:
        scope = Scope(token, warehouse, audit_hook(warehouse, token, client))
        source, conditions, params = plan_export(scope, mart, filters)
        batches = scope.stream(
            source,
            conditions=conditions,
            params=params,
            batch_rows=ctx.settings.api.export_batch_rows,
            action=f"export.{fmt}",
            target=mart,
            detail="&".join(f"{k}={v}" for k, v in filters.items()),
        )
        yield from encode(batches, fmt, keep_formulas=keep_formulas)
    finally:
        warehouse.close()


def _export(
    request: Request,
    ctx: ApiContext,
    scope: Scope,
    token: TokenRecord,
    mart: str,
    fmt: Format,
    keep_formulas: bool = False,
) -> StreamingResponse:
    filters = {k: v for k, v in request.query_params.items() if k != CSV_FORMULAS}
    plan_export(scope, mart, filters)  # 400/403/404 here, before the response starts
    body = _stream(ctx, token, client_address(request), mart, filters, fmt, keep_formulas)
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{mart}.{fmt}"'},
    )


MartName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]*$", max_length=64, description="A mart of the catalog.")]
EXPORT_DOC = (
    "Every row of the mart the token may read (org tokens: their org's rows), streamed in chunks. Any other "
    "query parameter is a filter `column=value` (compared as text)."
)


@router.get(
    "/export/{mart}.csv",
    summary="Export a mart as CSV",
    description=EXPORT_DOC,
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The rows as CSV."}},
)
def export_csv(
    mart: MartName,
    request: Request,
    ctx: ContextDep,
    scope: ScopeDep,
    token: TokenDep,
    csv_formulas: Annotated[
        Literal["escape", "keep"],
        Query(
            description="`escape` (default): a text cell beginning with =, +, -, @, a tab or a carriage return is "
            "prefixed with ' so spreadsheets show it instead of running it as a formula (numbers, including "
            "negative ones, are untouched). `keep`: every cell exactly as stored, for programs."
        ),
    ] = "escape",
) -> StreamingResponse:
    return _export(request, ctx, scope, token, mart, "csv", keep_formulas=csv_formulas == "keep")


@router.get(
    "/export/{mart}.parquet",
    summary="Export a mart as Parquet",
    description=EXPORT_DOC,
    response_class=StreamingResponse,
    responses={200: {"content": {"application/vnd.apache.parquet": {}}, "description": "The rows as Parquet."}},
)
def export_parquet(
    mart: MartName, request: Request, ctx: ContextDep, scope: ScopeDep, token: TokenDep
) -> StreamingResponse:
    return _export(request, ctx, scope, token, mart, "parquet")
