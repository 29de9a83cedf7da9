-- 表格单元格 — one row per report × table × row × column. Renamed and typed, nothing else (nulls stay null).
with source as (
    select * from {{ source('nianbao', 'cells') }}
)

select
    cast(report_id as varchar) as report_id,
    cast(table_code as varchar) as table_code,
    cast(row_code as varchar) as row_code,
    cast(col_code as varchar) as col_code,
    cast(value as decimal(18, 4)) as value,
    cast(raw_text as varchar) as raw_text,
    cast(line as integer) as source_line,
    cast(page as integer) as source_page,
    cast(table_index as integer) as source_table_index,
    cast(row_index as integer) as source_row_index,
    cast(col_index as integer) as source_col_index,
    cast(bbox as varchar) as source_bbox,
    cast(load_seq as bigint) as load_seq
from source
