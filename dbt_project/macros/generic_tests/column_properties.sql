{#-
    列属性 — every single-model property of a model's columns in one test and one pass over its rows (one dbt
    node instead of one per column and property: dbt's own work per test node cost more than its SQL).
    Each property holds as dbt's test of the same name states it; a failing property is one row naming the
    column(s), the property and how many rows break it:
      not_null:        [column, ...]  no null;
      unique:          [column, ...]  no value twice (nulls aside);
      accepted_values: {column: [value, ...]}  every non-null value listed;
      unique_key:      [column, ...]  the columns together are a grain key: complete, never twice;
      relationships:   [{columns: [column, ...], to: ref(...), fields: [field, ...]}]  every complete
                       combination exists in `to` (fields default to the same names; rows with a null skipped).
-#}
{% test column_properties(model, not_null=[], unique=[], accepted_values={}, unique_key=[], relationships=[]) %}
    {%- set q = adapter.quote -%}
    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append((column, 'not_null', 'count(*) - count(' ~ q(column) ~ ')')) -%}
    {%- endfor -%}
    {%- for column in unique -%}
        {%- do checks.append((column, 'unique', 'count(' ~ q(column) ~ ') - count(distinct ' ~ q(column) ~ ')')) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set listed = [] -%}
        {%- for value in values -%}
            {%- do listed.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do checks.append((column, 'accepted_values', 'count(*) filter (where ' ~ q(column) ~ ' not in ('
                              ~ listed | join(', ') ~ '))')) -%}
    {%- endfor -%}
    {%- if unique_key -%}
        {%- set key = [] -%}
        {%- for column in unique_key -%}
            {%- do key.append(q(column)) -%}
        {%- endfor -%}
        {%- do checks.append((unique_key | join(', '), 'unique_key', 'count(*) - count(distinct (' ~ key | join(', ')
                              ~ ')) + count(*) filter (where ' ~ key | join(' is null or ') ~ ' is null)')) -%}
    {%- endif -%}
    {%- for link in relationships -%}
        {%- set fields = link.get('fields', link['columns']) -%}
        {%- set complete, matched = [], [] -%}
        {%- for column in link['columns'] -%}
            {%- do complete.append('tested.' ~ q(column) ~ ' is not null') -%}
            {%- do matched.append('parent.' ~ q(fields[loop.index0]) ~ ' = tested.' ~ q(column)) -%}
        {%- endfor -%}
        {%- do checks.append((link['columns'] | join(', '), 'relationships to ' ~ link['to'].identifier,
                              'count(*) filter (where ' ~ complete | join(' and ') ~ ' and not exists (select 1 from '
                              ~ link['to'] ~ ' as parent where ' ~ matched | join(' and ') ~ '))')) -%}
    {%- endfor -%}
    select failing.column_name, failing.property, failing.failing_rows
    from (
        select unnest([
            {%- for column, property, failing_rows in checks %}
            {'column_name': '{{ column }}', 'property': '{{ property }}', 'failing_rows': {{ failing_rows }}}
            {{- "," if not loop.last }}
            {%- endfor %}
        ]) as failing
        from (select * from {{ model }}) as tested
    )
    where failing.failing_rows > 0
{% endtest %}
