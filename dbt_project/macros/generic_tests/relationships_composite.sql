{#-
    复合外键 — every combination of `columns` in the model must exist as `to_columns` (default: the same
    names) in `to`. Rows with a null in any of `columns` are not checked (as dbt's `relationships`).
-#}
{% test relationships_composite(model, columns, to, to_columns=none) %}
    {%- set parent_columns = to_columns if to_columns is not none else columns -%}
    select {% for column in columns %}child.{{ column }}{{ ", " if not loop.last }}{% endfor %}
    from (select * from {{ model }}) as child
    left join {{ to }} as parent
        on {% for column in columns -%}
        child.{{ column }} = parent.{{ parent_columns[loop.index0] }}{{ " and " if not loop.last }}
        {%- endfor %}
    where parent.{{ parent_columns[0] }} is null
    {%- for column in columns %}
        and child.{{ column }} is not null
    {%- endfor %}
{% endtest %}
