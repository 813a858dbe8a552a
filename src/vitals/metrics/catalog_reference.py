"""Render the metric reference (docs/metrics/catalog.md) from the catalog in the dbt project, so the docs never
restate a definition by hand: ``python -m vitals.metrics.catalog_reference > docs/metrics/catalog.md``."""

from __future__ import annotations

from vitals.metrics.catalog import Catalog, default_catalog

TITLES = {
    "kpi": "KPIs",
    "product": "Product",
    "reliability": "Reliability",
    "revenue": "Revenue",
    "customer_success": "Customer success",
    "support": "Support",
    "sales": "Sales",
    "marketing": "Marketing",
    "analyses": "Seed analyses",
    "data_health": "Data health",
}


def render(catalog: Catalog) -> str:
    """The reference as Markdown: one section per domain, one row per metric, the dimensions at the end."""
    lines = [
        "# Metric catalog",
        "",
        "Generated from the dbt project by `make docs`; do not edit. The daily metrics are the dbt metrics of",
        "`src/vitals/transform/models/metrics/_<domain>__semantic.yml`; a mart's own metrics are its columns",
        "marked `meta.metric` in the mart's model YAML (see [../metrics.md](../metrics.md#the-catalog)).",
        "",
    ]
    groups = catalog.by_domain()
    for domain in sorted(groups, key=lambda d: list(TITLES).index(d) if d in TITLES else len(TITLES)):
        lines += [f"## {TITLES.get(domain, domain)}", ""]
        lines += ["| metric | label | unit | grain | tier | model | definition |", "|---|---|---|---|---|---|---|"]
        for metric in groups[domain]:
            cells = [
                f"`{metric.name}`",
                metric.label,
                metric.unit + (f" ({metric.direction} is better)" if metric.direction != "neutral" else ""),
                ", ".join(metric.grain),
                str(metric.tier),
                f"`{metric.model}`",
                " ".join(metric.definition.split()) + (f" Needs `{metric.source}`." if metric.source else ""),
            ]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    lines += ["## Dimensions", "", "| column | meaning |", "|---|---|"]
    for name in sorted(catalog.dimensions):
        description = " ".join(catalog.dimensions[name].description.split()).replace("|", "\\|")
        lines.append(f"| `{name}` | {description} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(default_catalog()), end="")
