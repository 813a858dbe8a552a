"""The pages of the dashboard. A page is one module under ``vitals.dashboard.pages`` that calls ``register``
with a ``Page`` (its path, nav label, template and ``build`` function) and one template; the nav, the routes
and the CSV downloads of its datasets come from the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from vitals.dashboard.datasets import Dataset
    from vitals.dashboard.view import View


@dataclass
class Content:
    """What ``build`` returns: the template's variables and the datasets (charts, tables) it shows."""

    context: dict[str, Any] = field(default_factory=dict)
    datasets: list[Dataset] = field(default_factory=list)

    def dataset(self, dataset_id: str) -> Dataset | None:
        """The dataset with this id, if the page shows one."""
        return next((d for d in self.datasets if d.id == dataset_id), None)


Build = Callable[["View"], Content]


@dataclass(frozen=True)
class Page:
    """One dashboard page.

    ``path`` may hold path parameters (``/orgs/{org_id}``, read from ``view.params``); pages with one are
    left out of the nav. ``order`` sorts the nav. ``requires`` is the API feature (``api.scope.ROLE_FEATURES``)
    a token's role needs for the nav to list the page, or a tuple of features it needs all of (its reads are
    checked by the Scope in any case). ``customer`` marks a page an ``org`` token (a customer's own admin) may
    open: every other page is the vendor's view of its customers (at-risk lists, revenue, health bands,
    expansion and decline lists) and answers 403 to an org token.
    """

    slug: str
    title: str
    path: str
    template: str
    build: Build
    order: int = 100
    nav: bool = True
    requires: str | tuple[str, ...] | None = None
    customer: bool = False

    @property
    def csv_path(self) -> str:
        """The route of the page's CSV downloads: ``{base}/csv/{dataset_id}``."""
        base = f"/{self.slug}" if self.path == "/" else self.path.rstrip("/")
        return base + "/csv/{dataset_id}"

    def opens_for(self, role: str) -> bool:
        """Whether a token of ``role`` may open this page: its role has the features ``requires`` names, and
        an ``org`` token opens customer pages only."""
        from vitals.api.scope import ROLE_FEATURES

        needed = (self.requires,) if isinstance(self.requires, str) else self.requires or ()
        allowed = all(f in ROLE_FEATURES.get(role, frozenset()) for f in needed)
        return allowed and (self.customer or role != CUSTOMER_ROLE)

    def in_nav(self, role: str) -> bool:
        """Whether the nav lists this page for a token of ``role``."""
        return self.nav and "{" not in self.path and self.opens_for(role)


CUSTOMER_ROLE = "org"
"""The role of a customer's own token: it reads its own org and opens ``customer`` pages only."""

ROLE_HOMES: dict[str, str] = {"cs": "customer_success", "sales": "sales", "oncall": "reliability", "org": "org"}
"""The page (slug) a role lands on after login; every other role lands on the executive page."""

_PAGES: dict[str, Page] = {}


def register(page: Page) -> Page:
    """Add ``page`` (its slug and path must be new)."""
    if page.slug in _PAGES:
        raise ValueError(f"a dashboard page {page.slug!r} is already registered")
    if any(p.path == page.path for p in _PAGES.values()):
        raise ValueError(f"a dashboard page already serves {page.path}")
    _PAGES[page.slug] = page
    return page


def home_path(role: str, org_id: str | None) -> str:
    """Where a token of ``role`` lands after login: its role's home page (an org token: its own org's page)."""
    found = {p.slug: p for p in pages()}.get(ROLE_HOMES.get(role, "executive"))
    if found is None or not found.opens_for(role):
        return "/"
    if "{org_id}" in found.path:
        return found.path.format(org_id=quote(org_id, safe="")) if org_id else "/"
    return found.path


def pages() -> list[Page]:
    """Every registered page, in nav order (importing ``vitals.dashboard.pages`` registers the built-in ones)."""
    import vitals.dashboard.pages  # noqa: F401  (registers the pages)

    return sorted(_PAGES.values(), key=lambda p: (p.order, p.title))
