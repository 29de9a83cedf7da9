{#-
    A cell value as a count (BIGINT). Null stays null. A fractional value cannot be a count: it becomes null
    rather than a rounded (wrong) number, and the `whole_number` test on stg_nianbao__cells warns about it.
-#}
{% macro to_count(value) -%}
    case when {{ value }} = trunc({{ value }}) then cast({{ value }} as bigint) end
{%- endmacro %}
