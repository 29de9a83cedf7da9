-- 报告内容指纹 — one row per report with cells: the md5 of every cell read (code and value) and how many hold a
-- value. int_report_versions compares reports by it; hashing every cell of the corpus each run was the largest
-- part of a +10 build at 10k reports, so it is kept per report, incremental like the fact marts (a report's
-- cells change only when it is reloaded).
{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert',
          on_schema_change='fail',
          pre_hook="{{ nianbao_delete_stale_reports() }}",
          post_hook="{{ nianbao_record_built_reports() }}") }}

select
    report_id,
    md5(string_agg(table_code || '.' || row_code || '.' || col_code || '=' || coalesce(cast(value as varchar), ''),
                   ';' order by table_code, row_code, col_code)) as content_hash,
    count(value) as cells_read
from {{ ref('stg_nianbao__cells') }}
where {{ nianbao_needs_build('report_id') }}
group by report_id
