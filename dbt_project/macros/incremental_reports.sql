{#-
    增量构建 — incremental marts keyed on report_id.

    A report's raw rows change only as a whole: the extractor inserts a new report, reloads one (its documents
    get a new loaded_at) or deletes one (a removed or replaced file). Each incremental mart therefore records,
    per report, the loaded_at it was built from, in the bookkeeping table intermediate.nianbao_build_state
    (one set of rows per model). On an incremental run a mart:
      1. selects only the reports whose loaded_at differs from the recorded one, or that are not recorded
         (`nianbao_needs_build`, in the model's WHERE clause);
      2. deletes, before inserting, its rows of those reports and of reports no longer in raw
         (`nianbao_delete_stale_reports`, pre-hook) — so a reloaded report that now yields no rows, or a
         removed report, leaves nothing stale behind;
      3. inserts the new rows (delete+insert on report_id) and records the state it was built from
         (`nianbao_record_built_reports`, post-hook), all in the model's transaction.
    A first run or --full-refresh builds everything and records the state; a lost state table only makes the
    next run rebuild every report. Changing a seed or a mart's SQL needs `dbt build --full-refresh`.

    Models use it with:
      {{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert',
                on_schema_change='fail',
                pre_hook="{{ nianbao_delete_stale_reports() }}",
                post_hook=["{{ nianbao_forget_built_reports() }}", "{{ nianbao_record_built_reports() }}"]) }}
      ... where {{ nianbao_needs_build('report_id') }}
-#}

{% macro nianbao_build_state() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate',
                                  identifier='nianbao_build_state')) }}
{%- endmacro %}


{% macro nianbao_create_build_state() -%}
    create schema if not exists {{ nianbao_build_state().without_identifier() }};
    create table if not exists {{ nianbao_build_state() }} (
        model_name varchar not null,
        report_id varchar not null,
        loaded_at timestamp
    );
{%- endmacro %}


{#- report_ids whose loaded version differs from the one the current model was last built from. -#}
{% macro nianbao_reports_to_rebuild() -%}
    select loads.report_id
    from {{ ref('int_reports_loaded') }} as loads
    left join {{ nianbao_build_state() }} as built
        on built.model_name = '{{ this.identifier }}'
        and built.report_id = loads.report_id
    where built.report_id is null
        or built.loaded_at is distinct from loads.loaded_at
{%- endmacro %}


{#- A predicate for the model's WHERE clause: true on a full build, else "the report needs rebuilding". -#}
{% macro nianbao_needs_build(column='report_id') -%}
    {#- ref() outside the branch so that dbt records the dependency at parse time -#}
    {%- set loads = ref('int_reports_loaded') -%}
    {%- if is_incremental() -%}
        {{ column }} in ({{ nianbao_reports_to_rebuild() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro nianbao_delete_stale_reports() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where report_id in ({{ nianbao_reports_to_rebuild() }})
            or report_id not in (select report_id from {{ ref('int_reports_loaded') }})
    {%- endif -%}
{%- endmacro %}


{% macro nianbao_forget_built_reports() -%}
    delete from {{ nianbao_build_state() }} where model_name = '{{ this.identifier }}'
{%- endmacro %}


{% macro nianbao_record_built_reports() -%}
    insert into {{ nianbao_build_state() }} (model_name, report_id, loaded_at)
    select '{{ this.identifier }}', report_id, loaded_at
    from {{ ref('int_reports_loaded') }}
{%- endmacro %}
