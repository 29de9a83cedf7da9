{#-
    The two sides of every relation of extract/templates/relations.yaml, side by side, per report and scope:
    the one place they are computed (Great Expectations asserts on this, expectations/ writes dq.check_results).
    The relations arrive as the seed `relation_terms` (one row per term, generated from the templates).
    A view: the checks read it for the reports they check, so it costs nothing at build time and always
    reflects the marts as they stand.
-#}
{{ config(materialized='view') }}

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
),

facts as (
    select report_id, fact_code, value, is_lower_bound from {{ ref('stg_nianbao__narrative_facts') }}
),

cells as materialized (
    {%- for row_code in ['new_received', 'carried_over', 'total_processed', 'carried_forward'] %}
    select report_id, 'applications' as table_code, '{{ row_code }}' as row_code, applicant_type as col_code,
           cast({{ row_code }} as double) as value
    from {{ ref('fct_applications') }}
    union all
    {%- endfor %}
    select report_id, 'applications', outcome_code, applicant_type, cast("count" as double)
    from {{ ref('fct_outcomes') }}
    union all
    select report_id, 'review_litigation', block_code, result_code, cast("count" as double)
    from {{ ref('fct_litigation') }}
    union all
    select report_id, 'disclosure', item_code, measure_code, cast(value as double) from {{ ref('fct_disclosure') }}
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
    left join {{ ref('fct_outcomes') }} as outcomes on outcomes.report_id = reports.report_id
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
