{#-
    唯一组合 — fails for every combination of `columns` that occurs more than once, or that has a null in
    any of them (a grain key must be complete). Use on a table's multi-column key.
-#}
{% test unique_combination(model, columns) %}
    {%- set key = columns | join(', ') -%}
    select {{ key }}, count(*) as n_rows
    from {{ model }}
    group by {{ key }}
    having count(*) > 1
        {%- for column in columns %}
        or {{ column }} is null
        {%- endfor %}
{% endtest %}
