"""The metric catalog and the one read layer: every read of the built warehouse that the CLI, the API, the
dashboard, the alerts and the weekly digest share lives here, written once against a ``Reader``
(``reader``: the API's and the dashboard's token ``Scope`` adds its role's filter and audit; the CLI, the
alerts and the digest read the whole warehouse through ``WarehouseReader``).

- ``series``: a metric's daily values from ``metrics_daily``, period aggregation, summaries against the period
  before, every entity's values for the alert rules;
- ``activity``: seed 000's weekly active providers (``mart_analyses_weekly_active_providers``);
- ``health``: org and provider health, the org detail (customer-success marts);
- ``revenue``: revenue by month and MRR by day, company-wide or over a filtered set of orgs (ratios in SQL);
- ``accounts``: seat utilization and expansion candidates (``mart_customer_success_churn_risk``);
- ``adoption``: the adoption funnel over a set of orgs;
- ``headline``, ``sources``, ``models``: the headline KPIs, optional sources, and the typed results.
"""
