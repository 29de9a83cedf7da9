{#-
    勾稽关系两侧 — the SELECT of marts.fct_relation_sides for the reports matching `reports_in` (an SQL predicate on
    report_id). Every read of a report's rows is filtered on it, so DuckDB filters each scan.

    The sides of many reports at once join every report's terms with its cells: about 100 MB of hash tables per
    1,000 reports, which DuckDB spills to disk past its memory cap (2 GB, profiles.yml) at a cost that grows
    faster than the corpus (a first build of 100,000 reports in one statement: 500 s). So the model computes
    them in batches of `nianbao_sides_batch_reports()` reports: the model's own SQL the first batch
    (`nianbao_sides_batch(0)`), its post-hook `nianbao_insert_sides_batches` the others, in the model's
    transaction. A run adding ten reports is one batch of ten.
-#}

{#- Reports whose sides are computed in one statement (about 1 GB of DuckDB memory at most; the var is for tests). -#}
{% macro nianbao_sides_batch_reports() -%}
    {{ return(var('nianbao_sides_batch_reports', 10000) | int) }}
{%- endmacro %}


{#- How many batches the reports this run builds make (1 while parsing). -#}
{% macro nianbao_sides_batch_count() -%}
    {%- if not execute -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set counted = run_query("select count(*) from " ~ (ref('dim_report') if nianbao_unrecorded() else
                                nianbao_build_scope() ~ " where change = 'build'")) -%}
    {%- set reports = counted.columns[0].values()[0] -%}
    {{ return([1, ((reports + nianbao_sides_batch_reports() - 1) // nianbao_sides_batch_reports()) | int] | max) }}
{%- endmacro %}


{#- The reports of batch `index`: those this run builds (all while unrecorded) whose report_id hashes to it. -#}
{% macro nianbao_sides_batch(index, batches) -%}
    {%- set reports_in = nianbao_needs_build('report_id') -%}
    {{ 'true' if nianbao_unrecorded() else reports_in }}{% if batches > 1 %} and hash(report_id) % {{ batches }} = {{ index }}{% endif %}
{%- endmacro %}


{#- post-hook of fct_relation_sides: the batches after the first, replacing their rows (a no-op for one batch). -#}
{% macro nianbao_insert_sides_batches() -%}
    {%- set batches = nianbao_sides_batch_count() -%}
    {%- for index in range(1, batches) %}
    {%- set reports_in = nianbao_sides_batch(index, batches) %}
    delete from {{ this }} where {{ reports_in }};
    insert into {{ this }} by name {{ nianbao_relation_sides(reports_in) }};
    {%- endfor %}
    {%- if batches == 1 %}select 1{% endif %}
{%- endmacro %}


{% macro nianbao_relation_sides(reports_in) %}
    with terms as (
        select * from {{ ref('relation_terms') }}
    ),

    scopes as (
        select distinct check_id, scope, condition, table_code, per, relation, bound, reported from terms
    ),

    reports as (
        select report_id, agency, year, template, admin_level,
               string_split(coalesce(tables_found, ''), ',') as tables_found
        from {{ ref('dim_report') }}
        where {{ reports_in }}
    ),

    facts as (
        select report_id, fact_code, value, is_lower_bound from {{ ref('stg_nianbao__narrative_facts') }}
        where {{ reports_in }}
    ),

    cells as materialized (
        {%- for row_code in ['new_received', 'carried_over', 'total_processed', 'carried_forward'] %}
        select report_id, 'applications' as table_code, '{{ row_code }}' as row_code, applicant_type as col_code,
               cast({{ row_code }} as double) as value
        from {{ ref('fct_applications') }} where {{ reports_in }}
        union all
        {%- endfor %}
        select report_id, 'applications', outcome_code, applicant_type, cast("count" as double)
        from {{ ref('fct_outcomes') }} where {{ reports_in }}
        union all
        select report_id, 'review_litigation', block_code, result_code, cast("count" as double)
        from {{ ref('fct_litigation') }} where {{ reports_in }}
        union all
        select report_id, 'disclosure', item_code, measure_code, cast(value as double)
        from {{ ref('fct_disclosure') }} where {{ reports_in }}
        union all
        select report_id, 'narrative', fact_code, 'value', cast(value as double) from facts
    ),

    -- How the report prints （六）其他处理: the form of the rows it prints (three rows win over one), else its
    -- template's.
    forms as (
        select reports.report_id,
               coalesce(
                   case when bool_or(by_row.form = 'split') then 'split' when bool_or(by_row.form = 'single') then 'single' end,
                   any_value(by_template.form)
               ) as form
        from reports
        left join (select * from {{ ref('fct_outcomes') }} where {{ reports_in }}) as outcomes
            on outcomes.report_id = reports.report_id
        left join {{ ref('printed_forms') }} as by_row on by_row.row_code = outcomes.outcome_code
        left join {{ ref('printed_forms') }} as by_template on by_template.template = reports.template
        group by reports.report_id
    ),

    -- The conditions of relations.yaml that hold for each report.
    conditions as materialized (
        select report_id, 'always' as condition from reports
        union all
        select report_id, 'form:' || form from forms
        union all
        select report_id, 'admin_level:' || admin_level from reports where admin_level is not null
        union all
        select reports.report_id, 'stated_lower_bound:' || cast(coalesce(facts.is_lower_bound, false) as varchar)
        from reports
        left join facts on facts.report_id = reports.report_id and facts.fact_code = 'applications_received'
        union all
        select report_id, condition
        from (select report_id, 'zero:' || table_code || '.' || row_code || '.' || col_code as condition from cells
              where value = 0)
        where condition in (select condition from scopes)
    ),

    -- every term's cell, for the reports whose condition holds (one join for both kinds of relation)
    valued as (
        select conditions.report_id, terms.check_id, terms.scope, terms.condition, terms.table_code, terms.per,
               terms.relation, terms.bound, terms.reported, terms.side, terms.position,
               cells.value, cells.report_id is not null as present
        from conditions
        inner join terms on terms.condition = conditions.condition
        left join cells
            on cells.report_id = conditions.report_id
            and cells.table_code = terms.term_table
            and cells.row_code = terms.row_code
            and cells.col_code = terms.col_code
    ),

    -- a relation checked cell by cell (one term per scope: its side is the cell itself) is stated once per report
    -- and table, where the report's template holds the cell: its cells' extreme value against the bound, how many
    -- it assessed, and the cells that are blank or beyond the bound listed (millions of cells, a few exceptions)
    cellwise as (
        select report_id, check_id, table_code,
               count(value) as assessed,
               case any_value(relation) when '>=' then min(value) else max(value) end as extreme,
               list({'scope': scope, 'value': value} order by scope) filter (
                   where value is null or (relation = '>=' and value < bound) or (relation = '<=' and value > bound)
               ) as exceptions
        from valued
        where per = 'cell' and (not reported or present)
        group by report_id, check_id, table_code
    ),

    sides as (
        select report_id, check_id, scope, condition,
               bool_or(value is null) as any_null,
               bool_and(present) as all_present,
               sum(value) filter (where side = 'actual') as actual_sum,
               sum(value) filter (where side = 'expected') as expected_sum,
               list(value order by side, position) as term_values
        from valued
        where per != 'cell'
        group by report_id, check_id, scope, condition
    ),

    summed as (
        select sides.*, scopes.table_code, scopes.per, scopes.relation, scopes.bound, scopes.reported
        from sides
        inner join scopes using (check_id, scope, condition)
        where not scopes.reported or sides.all_present
    )

    select summed.report_id, check_id, scope, condition, table_code, per, relation,
           list_contains(reports.tables_found, table_code) as table_found, any_null,
           case when list_contains(reports.tables_found, table_code) and not any_null
                then coalesce(bound, expected_sum) end as expected,
           case when list_contains(reports.tables_found, table_code) and not any_null then actual_sum end as actual,
           term_values, null::bigint as assessed, null::struct(scope varchar, value double)[] as exceptions
    from summed
    inner join reports using (report_id)
    -- a relation over cells a template may lack is stated only where its table was found
    where not reported or list_contains(reports.tables_found, table_code)

    union all

    -- a relation checked cell by cell: one row per report and table, for the table as a whole (stated where found)
    select reports.report_id, tables.check_id, tables.table_code, 'always', tables.table_code, 'table',
           tables.relation, list_contains(reports.tables_found, tables.table_code), false,
           case when list_contains(reports.tables_found, tables.table_code) and cellwise.assessed > 0
                then tables.bound end,
           case when list_contains(reports.tables_found, tables.table_code) then cellwise.extreme end,
           null, cellwise.assessed, case when list_contains(reports.tables_found, tables.table_code)
                                         then cellwise.exceptions end
    from reports
    cross join (select distinct check_id, table_code, relation, bound from scopes where per = 'cell') as tables
    left join cellwise on cellwise.report_id = reports.report_id and cellwise.check_id = tables.check_id
        and cellwise.table_code = tables.table_code
{% endmacro %}
