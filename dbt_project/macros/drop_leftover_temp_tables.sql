{#- dbt-duckdb 1.11 builds an incremental Python model's increment in a table `<model>__dbt_tmp<timestamp>` of the
    target's default schema and, taking it for a temporary table, never drops it: two tables a run (int_text_signatures,
    int_text_reuse_sides) would pile up in `main` of a warehouse built on a schedule. This drops every such table at
    the end of each run, those of an earlier run that stopped included. -#}
{% macro nianbao_drop_leftover_temp_tables() -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select table_name from duckdb_tables() where database_name = current_database() "
            ~ "and schema_name = '" ~ target.schema ~ "' and contains(table_name, '__dbt_tmp') order by 1") -%}
        {%- set names = found.columns[0].values() -%}
    {%- else -%}
        {%- set names = [] -%}
    {%- endif -%}
    {%- for name in names -%}
        drop table if exists {{ adapter.quote(target.schema) }}.{{ adapter.quote(name) }};
    {% else -%}
        select 1
    {%- endfor -%}
{%- endmacro %}
