{#-
    The calendar the semantic layer (MetricFlow) joins metrics on: one row per day from 2015 to 2040, enough for
    any warehouse's history and forecasts.
-#}
select spine.day as date_day
from (
    {{ vitals.date_spine_select("'2015-01-01'", "'2040-12-31'", "(select 1 as one) as bounds") }}
) as spine
