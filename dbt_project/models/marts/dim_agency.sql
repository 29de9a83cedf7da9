-- 机关维度 — one row per agency name seen in the reports (full rebuild). Level and region come later.
select
    substr(md5(agency), 1, 16) as agency_id,
    agency as agency_name,
    {{ agency_short_name('agency') }} as short_name,
    count(*) as report_count,
    min(year) as first_year,
    max(year) as last_year
from {{ ref('stg_nianbao__reports') }}
where agency is not null
group by agency
