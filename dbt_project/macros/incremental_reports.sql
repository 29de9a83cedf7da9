{#-
    增量构建 — incremental marts keyed on report_id, whose work grows with what changed, not with the corpus.

    A report's raw rows change only as a whole: the extractor inserts a new report, reloads one (its documents
    get a new loaded_at) or deletes one (a removed or replaced file). Each incremental mart records, per report, the loaded_at it was built from, in the bookkeeping table
    intermediate.nianbao_build_state (one set of rows per model). At the start of every run
    (`nianbao_create_build_scope`, on-run-start) the reports this run has to build are written to
    intermediate.nianbao_build_scope:
      - change 'build': the reports whose loaded_at is not recorded by every model that records state (all of
        them on a first build, with --full-refresh, or for a command other than build/run, e.g. `dbt test`);
      - change 'removed': recorded reports no longer in raw.
    Then an incremental mart:
      1. selects only the 'build' reports (`nianbao_needs_build`, in the model's WHERE clause). A few thousand
         ids are written into the SQL as literals, so DuckDB filters the raw scan itself instead of reading
         every cell and joining afterwards; more are read from the scope table. Report ids are content hashes:
         DuckDB's zone maps (min/max per row group) skip no row group by them, so a model reading raw rows also
         passes their `load_seq` column (the extractor's load batch, see extract/schema.py), and the filter
         gets `load_seq >= <the lowest load_seq of the reports built>` too: the rows loaded before are skipped
         a row group at a time, and the report filter picks the scope's rows among the rest;
      2. deletes, before inserting, its rows of every report in scope (`nianbao_delete_stale_reports`,
         pre-hook) — so a reloaded report that now yields no rows, or a removed report, leaves nothing behind;
      3. appends the new rows (the pre-hook deleted the scope's) and records its state: the rows of the reports in
         scope are replaced, and any report it has no row for is added (`nianbao_record_built_reports`,
         post-hook: a new mart's first build records every report), all in the model's transaction.
    The data tests of the models in `nianbao_per_report_models` hold report by report, so they are scoped to the same
    reports (`nianbao_in_build_scope`, see report_scoped_tests.sql). A run in which a test fails or errors forgets the state
    of its 'build' reports (`nianbao_forget_failed_scope`, on-run-end): they are built and tested again next
    run until their tests pass, instead of dropping out of scope.
    A lost state table only makes the next run rebuild every report. Changing a seed or a mart's SQL needs
    `dbt build --full-refresh`; `--vars '{nianbao_test_all: true}'` tests every report.

    Models use it with (dbt_project.yml sets these for the fact marts):
      {{ config(materialized='incremental', incremental_strategy='append',
                on_schema_change='fail',
                pre_hook="{{ nianbao_delete_stale_reports() }}",
                post_hook="{{ nianbao_record_built_reports() }}") }}
      ... where {{ nianbao_needs_build('report_id') }}
-#}

{#- Up to this many report ids are written into a model's SQL as literals (filtered in the scan). -#}
{% macro nianbao_inline_reports() -%}
    {{ return(2000) }}
{%- endmacro %}


{% macro nianbao_build_state() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate',
                                  identifier='nianbao_build_state')) }}
{%- endmacro %}


{% macro nianbao_build_scope() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate',
                                  identifier='nianbao_build_scope')) }}
{%- endmacro %}


{% macro nianbao_create_build_state() -%}
    create schema if not exists {{ nianbao_build_state().without_identifier() }};
    create table if not exists {{ nianbao_build_state() }} (
        model_name varchar not null,
        report_id varchar not null,
        loaded_at timestamp
    );
{%- endmacro %}


{#- Whether this run builds and tests every report (first build aside, which the state tells). -#}
{% macro nianbao_builds_everything() -%}
    {{ return(flags.FULL_REFRESH or invocation_args_dict.get('which') not in ('build', 'run')
              or var('nianbao_test_all', false)) }}
{%- endmacro %}


{#- on-run-start, after nianbao_create_build_state: the reports this run builds, and those removed. The loaded
    version of a report is computed as int_reports_loaded computes it (that view is not built yet). -#}
{% macro nianbao_create_build_scope() -%}
    create or replace table {{ nianbao_build_scope() }} as
    with loads as (
        select cast(reports.report_id as varchar) as report_id, max(cast(documents.loaded_at as timestamp)) as loaded_at,
               min(cast(reports.load_seq as bigint)) as load_seq
        from {{ source('nianbao', 'reports') }} as reports
        left join {{ source('nianbao', 'documents') }} as documents
            on documents.report_id = reports.report_id
        group by 1
    ),

    recorded as (
        select report_id, loaded_at, count(*) as models
        from {{ nianbao_build_state() }}
        group by report_id, loaded_at
    )

    select loads.report_id, 'build' as change, loads.load_seq, loads.loaded_at
    from loads
    left join recorded
        on recorded.report_id = loads.report_id
        and recorded.loaded_at is not distinct from loads.loaded_at
    {% if not nianbao_builds_everything() -%}
    -- every model that records state (all of them on a first build: the state is empty)
    where coalesce(recorded.models, 0) < (
        select greatest(count(distinct model_name), 1) from {{ nianbao_build_state() }}
    )
    {%- endif %}
    union all
    select distinct report_id, 'removed' as change, null::bigint as load_seq, null::timestamp as loaded_at
    from {{ nianbao_build_state() }}
    where report_id not in (select report_id from loads)
{%- endmacro %}


{#- The report_ids in scope (of one change, or all) as SQL for an IN list: literals when few, else a query. -#}
{% macro nianbao_scope_ids(change=none) -%}
    {%- set query -%}
        select report_id from {{ nianbao_build_scope() }}
        {%- if change %} where change = '{{ change }}'{% endif %}
    {%- endset -%}
    {%- if not execute -%}
        {{ return(query) }}
    {%- endif -%}
    {%- set counted = run_query('select count(*) from (' ~ query ~ ')') -%}
    {%- if counted.columns[0].values()[0] > nianbao_inline_reports() -%}
        {{ return(query) }}
    {%- endif -%}
    {%- set ids = run_query(query ~ ' order by 1').columns[0].values() -%}
    {%- if ids | length == 0 -%}
        {{ return('select null where false') }}
    {%- endif -%}
    {{ return(nianbao_sql_literals(ids)) }}
{%- endmacro %}


{#- Report ids as a list of SQL string literals (quotes doubled), for an IN list. -#}
{% macro nianbao_sql_literals(ids) -%}
    {%- set literals = [] -%}
    {%- for id in ids -%}
        {%- do literals.append("'" ~ (id | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(literals | join(', ')) }}
{%- endmacro %}


{#- The lowest load_seq of the reports this run builds: every raw row of those reports has a load_seq at least
    this (a report's rows all carry its batch's, never null). 0 while parsing; none when nothing is built. -#}
{% macro nianbao_scope_load_seq() -%}
    {%- if not execute -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set lowest = run_query("select min(load_seq) from " ~ nianbao_build_scope() ~ " where change = 'build'") -%}
    {{ return(lowest.columns[0].values()[0]) }}
{%- endmacro %}


{#- A predicate for the model's WHERE clause: true on a full build, else "the report is in this run's scope".
    `load_seq`: the load_seq column of the rows filtered, when they are raw rows (see nianbao_scope_load_seq). -#}
{% macro nianbao_needs_build(column='report_id', load_seq=none) -%}
    {#- ref() outside the branch so that dbt records the dependency at parse time -#}
    {%- set loads = ref('int_reports_loaded') -%}
    {%- if is_incremental() -%}
        {{ column }} in ({{ nianbao_scope_ids('build') }})
        {%- if load_seq -%}
            {%- set lowest = nianbao_scope_load_seq() %} and {{ load_seq ~ ' >= ' ~ (lowest | int) if lowest is not none else 'false' }}
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- A test's `where`: the rows of the reports this run builds or removes (a test of one report's rows holds
    or fails with that report alone; a removed report must have left no row; rows without a report are always
    tested). The ids as literals when few, as the models have them: DuckDB pushes them through a tested view
    (a view grouped by report, e.g. int_applications_pivoted_to_applicant_types, into its raw.cells scan),
    where a subquery on the scope table computed the whole view (1.6 s at 100k reports, 0.1 s with literals).
    `load_seq`: the column of a tested view of raw rows (nianbao_load_seq_models): the rows of the reports built
    have at least the scope's lowest load_seq, and a removed report has no raw row left to test. -#}
{% macro nianbao_in_build_scope(load_seq=none) -%}
    {%- set lowest = nianbao_scope_load_seq() if load_seq else none -%}
    {%- if lowest is not none %}{{ load_seq }} >= {{ lowest | int }} and ({% endif -%}
    report_id is null or report_id in ({{ nianbao_scope_ids() }})
    {%- if lowest is not none %}){% endif %}
{%- endmacro %}


{#- pre-hook: the model's rows of every report in scope deleted; with every_row_when_unrecorded, every row when
    the model has recorded no report (a model that then builds every report, see relation_sides.sql). -#}
{% macro nianbao_delete_stale_reports(every_row_when_unrecorded=false) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if not (every_row_when_unrecorded and nianbao_unrecorded()) %}
        where report_id in ({{ nianbao_scope_ids() }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Whether the model has recorded no report yet: new to this warehouse (an upgrade adds it to a built one, whose
    build scope holds only what changed, not the reports the others recorded), or built for the first time. -#}
{% macro nianbao_unrecorded() -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set recorded = run_query("select count(*) from (select 1 from " ~ nianbao_build_state()
                                 ~ " where model_name = '" ~ this.identifier ~ "' limit 1)") -%}
    {{ return(recorded.columns[0].values()[0] == 0) }}
{%- endmacro %}


{#- post-hook: the state of the reports in scope replaced, and every report without state for the model added. A
    model that has recorded reports lacks state only for reports in the 'build' scope (the scope holds every report
    some model has not recorded at its loaded_at, with that loaded_at), so they are read from the scope table then:
    the loaded version of every report (int_reports_loaded groups all of raw.documents and raw.parse_issues) cost
    0.1–0.18 s per model at 100,000 reports, 0.07 s filtered on the scope's ids. -#}
{% macro nianbao_record_built_reports() -%}
    {#- ref() outside the branch so that dbt records the dependency at parse time -#}
    {%- set loads = ref('int_reports_loaded') -%}
    {%- set unrecorded = nianbao_unrecorded() -%}
    delete from {{ nianbao_build_state() }}
    where model_name = '{{ this.identifier }}'
        and report_id in ({{ nianbao_scope_ids() }});
    insert into {{ nianbao_build_state() }} (model_name, report_id, loaded_at)
    select '{{ this.identifier }}', loads.report_id, loads.loaded_at
    from {% if unrecorded %}{{ loads }}{% else %}{{ nianbao_build_scope() }}{% endif %} as loads
    where {% if not unrecorded %}loads.change = 'build' and {% endif %}not exists (
        select 1
        from {{ nianbao_build_state() }} as built
        where built.model_name = '{{ this.identifier }}'
            and built.report_id = loads.report_id
    )
{%- endmacro %}


{#- on-run-end: a failing or erroring test keeps this run's reports in scope for the next run. -#}
{% macro nianbao_forget_failed_scope(results) -%}
    {%- set failed = results | selectattr('node.resource_type', 'equalto', 'test')
                             | selectattr('status', 'in', ['fail', 'error']) | list -%}
    {%- if execute and failed -%}
        delete from {{ nianbao_build_state() }}
        where report_id in (select report_id from {{ nianbao_build_scope() }} where change = 'build')
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
