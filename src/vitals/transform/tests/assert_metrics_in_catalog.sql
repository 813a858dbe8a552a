-- Every metric in metrics_daily has a catalog entry (validated at every build): returns the strays.
select distinct metric_name
from {{ ref('metrics_daily') }}
where domain is null
