{#-
    The daily metrics of the catalog as the models see them: name -> {domain, tier}, read from the dbt
    metrics whose meta names a domain (models/metrics/_<domain>__semantic.yml). Empty while dbt parses.
-#}
{% macro daily_metric_catalog() -%}
    {% set catalog = {} %}
    {% if execute %}
        {% for metric in graph.metrics.values() %}
            {% set meta = metric.config.meta %}
            {% if meta.domain is defined and meta.tier is defined %}
                {% do catalog.update({metric.name: {'domain': meta.domain, 'tier': meta.tier}}) %}
            {% endif %}
        {% endfor %}
    {% endif %}
    {{ return(catalog) }}
{%- endmacro %}
