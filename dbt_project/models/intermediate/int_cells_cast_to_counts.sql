-- 计数单元格 — the cells of the two count tables (三 applications, 四 review_litigation) typed as counts
-- (BIGINT). Null stays null; a fractional value is not a count and becomes null (see macro to_count).
select
    report_id,
    table_code,
    row_code,
    col_code,
    {{ to_count('value') }} as cell_count,
    value,
    raw_text,
    load_seq
from {{ ref('stg_nianbao__cells') }}
where table_code in ('applications', 'review_litigation')
