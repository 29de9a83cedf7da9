{#-
    跨年度、正文与文本重复核对的增量范围 — which reports' rows of fct_agency_relation_sides a run rebuilds. A
    report's rows there come from its own raw rows (the narrative sides; its side of a cross-year pair), from
    the report it is paired with (its agency's current report of the year before: int_cross_year_pairs) and
    from int_text_reuse_sides (which compares reports, and is itself incremental). So a run rebuilds:
      - the reports of this run's build scope (new, reloaded, removed: macros/incremental_reports.sql);
      - the reports paired, now or in the built rows, with one of them (a reloaded or removed previous year);
      - the reports whose pairing differs from the one their rows were built from (a report now current or no
        longer, a previous year that appeared, left or changed agency);
      - the reports whose TEXT_REUSE rows differ from int_text_reuse_sides' (compared row by row).
    The set is written to intermediate.nianbao_agency_sides_scope while the model compiles in a build or run
    (before anything is deleted), the pre-hook deletes those reports' rows, and the model inserts their rows
    anew.
-#}

{% macro nianbao_agency_sides_scope() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate',
                                  identifier='nianbao_agency_sides_scope')) }}
{%- endmacro %}


{#- The TEXT_REUSE rows in the row shape of fct_agency_relation_sides (the model's and the comparison's). -#}
{% macro nianbao_text_reuse_rows() -%}
    select report_id, check_id, scope, per, relation, table_found, any_null, expected, actual,
           cast(term_values as double[]) as term_values, agency, cast(year as integer) as year,
           cast(related_report_id as varchar) as related_report_id
    from {{ ref('int_text_reuse_sides') }}
{%- endmacro %}


{#- Writes the set (see above) and returns the model's predicate: the ids as literals when few, else a query. -#}
{% macro nianbao_agency_sides_changed() -%}
    {%- set pairs = ref('int_cross_year_pairs') -%}
    {%- if not execute or invocation_args_dict.get('which') not in ('build', 'run') -%}
        {{ return('true') }}  {#- dbt compile, docs generate: the SQL of every report, nothing written -#}
    {%- endif -%}
    {%- set scope = nianbao_agency_sides_scope() -%}
    {%- set written -%}
        create or replace table {{ scope }} as
        with build_scope as (
            select report_id from {{ nianbao_build_scope() }}
        ),

        pairs_now as (
            select report_id, earlier_report_id as related_report_id from {{ pairs }}
        ),

        pairs_built as (
            select distinct report_id, related_report_id from {{ this }}
            where check_id in ('CROSS_CARRY', 'CROSS_IN_FORCE')
        ),

        reuse_now as (
            select * from ({{ nianbao_text_reuse_rows() }})
            where report_id in (select report_id from {{ ref('dim_report') }})
        ),

        reuse_built as (
            select report_id, check_id, scope, per, relation, table_found, any_null, expected, actual,
                   term_values, agency, year, related_report_id
            from {{ this }}
            where check_id = 'TEXT_REUSE'
        )

        select report_id from build_scope
        union
        select report_id from pairs_now where related_report_id in (select report_id from build_scope)
        union
        select report_id from pairs_built where related_report_id in (select report_id from build_scope)
        union
        select report_id from (
            (select * from pairs_now except select * from pairs_built)
            union all
            (select * from pairs_built except select * from pairs_now)
        )
        union
        select report_id from (
            (select * from reuse_now except all select * from reuse_built)
            union all
            (select * from reuse_built except all select * from reuse_now)
        )
    {%- endset -%}
    {%- do run_query(written) -%}
    {%- set ids = run_query('select report_id from ' ~ scope ~ ' order by 1').columns[0].values() -%}
    {%- if ids | length > nianbao_inline_reports() -%}
        {{ return('report_id in (select report_id from ' ~ scope ~ ')') }}
    {%- elif ids | length == 0 -%}
        {{ return('false') }}
    {%- endif -%}
    {{ return('report_id in (' ~ nianbao_sql_literals(ids) ~ ')') }}
{%- endmacro %}


{#- pre-hook: the rows of the reports in the set go, whatever the model now yields for them. -#}
{% macro nianbao_delete_agency_sides_changed() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where report_id in (select report_id from {{ nianbao_agency_sides_scope() }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
