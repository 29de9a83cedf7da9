-- 机关名称 — one row per name a report gives itself (title, signature, publisher). Renamed and typed, nothing else.
with source as (
    select * from {{ source('nianbao', 'agency_names') }}
)

select
    cast(report_id as varchar) as report_id,
    cast(role as varchar) as name_role,
    cast(name as varchar) as agency_name,
    cast(body as varchar) as body,
    cast(admin_level as varchar) as admin_level,
    cast(province as varchar) as province,
    cast(city as varchar) as city,
    cast(county as varchar) as county,
    cast(region_ambiguous as boolean) as region_ambiguous,
    cast(load_seq as bigint) as load_seq
from source
