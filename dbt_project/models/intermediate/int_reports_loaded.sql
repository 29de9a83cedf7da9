-- 报告载入状态 — one row per report with the state of the document(s) it was read from: parse status,
-- when it was loaded (the version the incremental marts compare against) and its number of parse issues.
with reports as (
    select * from {{ ref('stg_nianbao__reports') }}
),

documents as (
    select
        report_id,
        -- the same content read from several paths parses alike; the latest load speaks for it
        arg_max(document_status, loaded_at) as parse_status,
        max(loaded_at) as loaded_at,
        count(*) as document_count
    from {{ ref('stg_nianbao__documents') }}
    where report_id is not null
    group by report_id
),

issues as (
    select
        report_id,
        count(*) as parse_issue_count
    from {{ ref('stg_nianbao__parse_issues') }}
    where report_id is not null
    group by report_id
)

select
    reports.report_id,
    reports.sha256,
    reports.file_name,
    reports.agency,
    reports.year,
    reports.template,
    reports.variant,
    reports.admin_level,
    reports.province,
    reports.city,
    reports.county,
    reports.tables_found,
    documents.parse_status,
    documents.loaded_at,
    coalesce(documents.document_count, 0) as document_count,
    -- a count of issue rows, not a cell: no issue row means zero issues
    coalesce(issues.parse_issue_count, 0) as parse_issue_count
from reports
left join documents on documents.report_id = reports.report_id
left join issues on issues.report_id = reports.report_id
