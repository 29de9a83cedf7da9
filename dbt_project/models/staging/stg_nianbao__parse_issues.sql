-- 解析问题 — one row per parse issue. Renamed and typed, nothing else.
with source as (
    select * from {{ source('nianbao', 'parse_issues') }}
)

select
    cast(sha256 as varchar) as sha256,
    cast(report_id as varchar) as report_id,
    cast(issue_code as varchar) as issue_code,
    cast(severity as varchar) as severity,
    cast(table_code as varchar) as table_code,
    cast(row_code as varchar) as row_code,
    cast(col_code as varchar) as col_code,
    cast(line as integer) as source_line,
    cast(detail as varchar) as detail
from source
