-- 机关维度 — one row per agency, resolved across years and name forms (int_agency_names says which names
-- were linked and why). The display name is the fullest name of its latest year; level and region are
-- those of that name, completed from the agency's other names where it states less. Only agencies with a
-- report are listed.
with names as (
    select * from {{ ref('int_agency_names') }}
),

reports as (
    select agency_id, agency, year, report_id, is_current from {{ ref('dim_report') }} where agency_id is not null
),

named as (
    select names.agency_id, names.agency_name, names.admin_level, names.province, names.city, names.county,
           names.is_unresolved, names.resolution, names.title_reports > 0 as is_title,
           max(reports.year) as last_year_named
    from names
    left join reports on reports.agency = names.agency_name
    group by all
),

display as (
    select agency_id,
        arg_max(agency_name, [is_title::int, coalesce(last_year_named, 0), length(agency_name)]) as agency_name,
        arg_max(admin_level, [(admin_level is not null)::int, coalesce(last_year_named, 0)]) as admin_level,
        arg_max(province, [(province is not null)::int, coalesce(last_year_named, 0)]) as province,
        arg_max(city, [(city is not null)::int, coalesce(last_year_named, 0)]) as city,
        arg_max(county, [(county is not null)::int, coalesce(last_year_named, 0)]) as county,
        bool_and(is_unresolved) as is_unresolved,
        count(*) as name_count
    from named
    -- an agency is one that published a report: a signer that never did is a name of another agency
    where agency_id in (select agency_id from reports)
    group by agency_id
),

years as (
    select agency_id, count(*) as report_count, count(*) filter (where is_current) as current_report_count,
           min(year) as first_year, max(year) as last_year
    from reports
    group by agency_id
)

select
    display.agency_id,
    display.agency_name,
    {{ agency_short_name('display.agency_name') }} as short_name,
    display.admin_level,
    display.province,
    display.city,
    display.county,
    display.is_unresolved,
    display.name_count,
    coalesce(years.report_count, 0) as report_count,
    coalesce(years.current_report_count, 0) as current_report_count,
    years.first_year,
    years.last_year
from display
left join years on years.agency_id = display.agency_id
