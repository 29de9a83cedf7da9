{#- 整数 — fails for every non-null value of `column_name` with a fractional part (a count must be whole). -#}
{% test whole_number(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
        and {{ column_name }} <> trunc({{ column_name }})
{% endtest %}
