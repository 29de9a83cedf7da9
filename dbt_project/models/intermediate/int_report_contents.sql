-- 报告内容指纹 — one row per report with cells: the XOR of every cell's md5 (code and value) and how many hold a
-- value. int_report_versions compares reports by it; hashing every cell of the corpus each run was the largest
-- part of a +10 build at 10k reports, so it is kept per report, incremental like the fact marts (a report's
-- cells change only when it is reloaded). An XOR needs no order: an md5 of the cells joined in order
-- (string_agg … order by) held every cell of the build in memory, and ran out of DuckDB's memory at 100k reports.
{{ config(materialized='incremental', incremental_strategy='append',
          on_schema_change='fail',
          pre_hook="{{ nianbao_delete_stale_reports() }}",
          post_hook="{{ nianbao_record_built_reports() }}") }}

with cells as (
    select report_id, value,
        table_code || '.' || row_code || '.' || col_code || '=' || coalesce(cast(value as varchar), '') as cell
    from {{ ref('stg_nianbao__cells') }}
    where {{ nianbao_needs_build('report_id', 'load_seq') }}
)

select
    report_id,
    cast(bit_xor(md5_number(cell)) as varchar) as content_hash,
    count(value) as cells_read
from cells
group by report_id
