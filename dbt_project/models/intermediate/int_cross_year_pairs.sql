-- 跨年度配对 — one row per current report (year N+1) with the same agency's current report of the year before
-- (year N; null when there is none): the pairs int_cross_year_sides compares, and the pairing an incremental
-- fct_agency_relation_sides compares with the one its rows were built from. Only current reports take part.
with current_reports as (
    select report_id, agency_id, agency, year, template,
           string_split(coalesce(tables_found, ''), ',') as tables
    from {{ ref('dim_report') }}
    where is_current and agency_id is not null and year is not null
)

select later.report_id, later.agency, later.year, later.template, later.tables,
       earlier.report_id as earlier_report_id, earlier.template as earlier_template,
       coalesce(earlier.tables, []) as earlier_tables
from current_reports as later
left join current_reports as earlier
    on earlier.agency_id = later.agency_id
    and earlier.year = later.year - 1
