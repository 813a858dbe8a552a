"""The pages of the dashboard. A page is one module under ``vitals.dashboard.pages`` that calls ``register``
with a ``Page`` (its path, nav label, template and ``build`` function) and one template; the nav, the routes
and the CSV downloads of its datasets come from the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
    checked by the Scope in any case).
    """

    slug: str
    title: str
    path: str
    template: str
    build: Build
    order: int = 100
    nav: bool = True
    requires: str | tuple[str, ...] | None = None

    @property
    def csv_path(self) -> str:
        """The route of the page's CSV downloads: ``{base}/csv/{dataset_id}``."""
        base = f"/{self.slug}" if self.path == "/" else self.path.rstrip("/")
        return base + "/csv/{dataset_id}"

    def in_nav(self, role: str) -> bool:
        """Whether the nav lists this page for a token of ``role``."""
        from vitals.api.scope import ROLE_FEATURES

        needed = (self.requires,) if isinstance(self.requires, str) else self.requires or ()
        allowed = all(f in ROLE_FEATURES.get(role, frozenset()) for f in needed)
        return self.nav and "{" not in self.path and allowed


_PAGES: dict[str, Page] = {}


def register(page: Page) -> Page:
    """Add ``page`` (its slug and path must be new)."""
    if page.slug in _PAGES:
        raise ValueError(f"a dashboard page {page.slug!r} is already registered")
    if any(p.path == page.path for p in _PAGES.values()):
        raise ValueError(f"a dashboard page already serves {page.path}")
    _PAGES[page.slug] = page
    return page


def pages() -> list[Page]:
    """Every registered page, in nav order (importing ``vitals.dashboard.pages`` registers the built-in ones)."""
    import vitals.dashboard.pages  # noqa: F401  (registers the pages)

    return sorted(_PAGES.values(), key=lambda p: (p.order, p.title))
