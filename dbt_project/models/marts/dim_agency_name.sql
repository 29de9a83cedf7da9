-- 机关名称归并表 — one row per printed name with the agency it resolves to and why (see int_agency_names).
select
    agency_name,
    agency_id,
    agency_key,
    resolution,
    resolution_detail,
    is_unresolved,
    body,
    admin_level,
    province,
    city,
    county,
    region_ambiguous,
    title_reports,
    roles
from {{ ref('int_agency_names') }}
