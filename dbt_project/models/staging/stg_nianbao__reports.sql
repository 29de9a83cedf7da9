-- 年度报告 — one row per distinct report content. Renamed and typed, nothing else.
with source as (
    select * from {{ source('nianbao', 'reports') }}
)

select
    cast(report_id as varchar) as report_id,
    cast(sha256 as varchar) as sha256,
    cast(file_name as varchar) as file_name,
    cast(agency as varchar) as agency,
    cast(year as integer) as year,
    cast(template as varchar) as template,
    cast(variant as varchar) as variant,
    cast(admin_level as varchar) as admin_level,
    cast(province as varchar) as province,
    cast(city as varchar) as city,
    cast(county as varchar) as county,
    cast(tables_found as varchar) as tables_found,
    cast(signed_by as varchar) as signed_by,
    cast(publisher as varchar) as publisher,
    cast(source_domain as varchar) as source_domain,
    cast(published_on as date) as published_on,
    cast(load_seq as bigint) as load_seq
from source
