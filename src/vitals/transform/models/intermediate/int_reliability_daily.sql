{#-
    The reliability facts at (entity_type, entity_id, metric_date) grain, wide: global (every row, also rows of
    no known org) and per org, every business day from the entity's first event day to the as-of date. The one
    place the daily reliability metrics are computed; an incremental build recomputes only the days from the
    first affected one on.
-#}

{{ config(**vitals.metrics_domain_config()) }}
{{ vitals.metrics_affected_from_depends_on() }}

with

{{ vitals.marts_reliability_ctes('day') }}

select
    *,
    quality_pass_rate as quality_pass_rate_1d
from reliability_wide
