-- 报告维度 — one row per report (full rebuild: one row per report is cheap).
select
    report_id,
    file_name,
    sha256,
    agency,
    year,
    template,
    variant,
    admin_level,
    province,
    city,
    county,
    parse_status,
    parse_issue_count,
    tables_found
from {{ ref('int_reports_loaded') }}
