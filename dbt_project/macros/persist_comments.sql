{#-
    注释 — on-run-end: the description of every model and seed this run built, and of each of its columns, written
    into the warehouse as COMMENT ON (so any SQL client shows the Chinese label and English meaning), in one
    statement list for the whole run. dbt's persist_docs did the same per node: a column listing and two more
    queries each, most of a small build's time in hooks.
-#}
{% macro nianbao_persist_comments(results) -%}
    {%- set built = results | selectattr('node.resource_type', 'in', ['model', 'seed'])
                            | selectattr('status', 'equalto', 'success') | list -%}
    {%- if not execute or not built -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set listed = run_query("select table_schema || '.' || table_name || '.' || column_name "
                               ~ "from information_schema.columns where table_catalog = '" ~ target.database ~ "'") -%}
    {%- set existing = listed.columns[0].values() | list -%}
    {%- set statements = [] -%}
    {%- for result in built -%}
        {%- set node = result.node -%}
        {%- set relation = api.Relation.create(database=node.database, schema=node.schema,
                                               identifier=node.alias) -%}
        {%- set kind = 'view' if node.config.materialized == 'view' else 'table' -%}
        {%- if node.description -%}
            {%- do statements.append('comment on ' ~ kind ~ ' ' ~ relation ~ ' is '
                                     ~ duckdb_escape_comment(node.description)) -%}
        {%- endif -%}
        {%- for column in node.columns.values() -%}
            {%- if column.description and (node.schema ~ '.' ~ node.alias ~ '.' ~ column.name) in existing -%}
                {%- do statements.append('comment on column ' ~ relation ~ '.' ~ adapter.quote(column.name) ~ ' is '
                                         ~ duckdb_escape_comment(column.description)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ statements | join(';\n') }}
{%- endmacro %}
