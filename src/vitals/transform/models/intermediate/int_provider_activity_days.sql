{#-
    (provider_id, org_id, activity_date): the business days on which a provider has at least one app event
    (any event name, any org on the event); org_id is the provider's org (providers.org_id). Read by the daily
    product facts (active providers), the lifecycle and the retention cohorts.
-#}

with

final as (
    select distinct
        events.provider_id,
        providers.org_id,
        {{ vitals.business_date('events.occurred_at') }} as activity_date
    from {{ ref('stg_app__events') }} as events
    inner join {{ ref('providers') }} as providers
        on events.provider_id = providers.provider_id
)

select * from final
