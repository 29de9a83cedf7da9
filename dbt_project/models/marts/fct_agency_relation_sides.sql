-- 跨年度、正文与文本重复核对 — the two sides of the checks that look beyond one report's tables: across an
-- agency's consecutive years (CROSS_CARRY, CROSS_IN_FORCE), the prose against the tables (NARRATIVE_*) and
-- text reuse (TEXT_REUSE), one row per report × check × scope, in the row shape of fct_relation_sides plus
-- related_report_id (the other report compared: last year's, or the most similar one).
-- Incremental on report_id: a run rebuilds the reports whose rows can have changed (macros/agency_sides.sql),
-- deleting their rows first (a report that now yields none, or was removed, leaves nothing behind).
-- depends_on: {{ ref('int_cross_year_pairs') }}
{{ config(materialized='incremental', incremental_strategy='append',
          on_schema_change='fail', pre_hook="{{ nianbao_delete_agency_sides_changed() }}") }}

{%- set changed = nianbao_agency_sides_changed() if is_incremental() else 'true' %}

with sides as (
    select report_id, check_id, scope, per, relation, table_found, any_null, expected, actual,
           cast(term_values as double[]) as term_values, agency, year, related_report_id
    from {{ ref('int_cross_year_sides') }}
    union all
    select report_id, check_id, scope, per, relation, table_found, any_null, expected, actual,
           cast(term_values as double[]), agency, year, related_report_id
    from {{ ref('int_narrative_sides') }}
    union all
    {{ nianbao_text_reuse_rows() }}
)

select * from sides
-- a report since removed has no row here
where report_id in (select report_id from {{ ref('dim_report') }})
    and {{ changed }}
