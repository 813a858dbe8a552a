{#-
    What NPS comments talk about (SPEC 6.9, seed 003): per theme, over the trailing NPS window ending on the
    as-of date (macro nps_window_days), the commented responses that mention it, how many of them come from
    promoters, passives and detractors, their share of all commented responses and the theme's own NPS.
    A comment mentions a theme when its lowercased text contains one of the theme's keywords (var nps_themes,
    vitals.config.NpsSettings); one comment can mention several themes. Global and per org; a row only for a
    theme mentioned at least once. Empty until NPS comments are loaded.
-#}
{%- set themes = var('nps_themes') -%}

{{
    config(
        indexes=[
            {'columns': ['entity_type', 'entity_id', 'theme'], 'unique': true},
        ],
    )
}}

with

commented_responses as (
    select
        response_id,
        org_id,
        nps_category,
        lower(comment) as comment_text
    from {{ ref('stg_nps__responses') }}
    where
        comment is not null
        and response_date <= {{ vitals.as_of_date() }}
        and response_date >= {{ vitals.add_days(vitals.as_of_date(), 1 - (vitals.nps_window_days() | int)) }}
),

scoped_responses as (
    {{ vitals.marts_scoped('commented_responses', ['response_id', 'nps_category', 'comment_text']) }}
),

commented_per_entity as (
    select
        entity_type,
        entity_id,
        count(*) as commented_responses
    from scoped_responses
    group by entity_type, entity_id
),

theme_keywords as (
    {%- for theme, keywords in themes.items() %}
        {%- set theme_loop = loop %}
        {%- for keyword in keywords %}
    select
        '{{ theme }}' as theme,
        '{{ keyword }}' as keyword
            {%- if not (theme_loop.last and loop.last) %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- else %}
    select
        'none' as theme,
        'none' as keyword
    from commented_per_entity
    where 1 = 0
    {%- endfor %}
),

mentions as (
    select distinct
        scoped_responses.entity_type,
        scoped_responses.entity_id,
        scoped_responses.response_id,
        scoped_responses.nps_category,
        theme_keywords.theme
    from scoped_responses
    inner join theme_keywords
        on scoped_responses.comment_text like {{ dbt.concat(["'%'", 'theme_keywords.keyword', "'%'"]) }}
),

theme_counts as (
    select
        entity_type,
        entity_id,
        theme,
        count(*) as theme_mentions,
        {{ vitals.count_if("nps_category = 'promoter'") }} as theme_promoters,
        {{ vitals.count_if("nps_category = 'passive'") }} as theme_passives,
        {{ vitals.count_if("nps_category = 'detractor'") }} as theme_detractors
    from mentions
    group by entity_type, entity_id, theme
),

final as (
    select
        {{ vitals.as_of_date() }} as metric_date,
        theme_counts.entity_type,
        theme_counts.entity_id,
        theme_counts.theme,
        theme_counts.theme_mentions,
        theme_counts.theme_promoters,
        theme_counts.theme_passives,
        theme_counts.theme_detractors,
        commented_per_entity.commented_responses,
        {{ vitals.safe_divide('theme_counts.theme_mentions', 'commented_per_entity.commented_responses') }}
            as theme_share_of_comments,
        100 * {{ vitals.safe_divide(
            'theme_counts.theme_promoters - theme_counts.theme_detractors', 'theme_counts.theme_mentions'
        ) }} as theme_nps
    from theme_counts
    inner join commented_per_entity
        on
            theme_counts.entity_type = commented_per_entity.entity_type
            and theme_counts.entity_id = commented_per_entity.entity_id
)

select * from final
