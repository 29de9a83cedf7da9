-- 章节正文 — one row per report × section, its prose without the tables. Renamed and typed, nothing else.
with source as (
    select * from {{ source('nianbao', 'report_sections') }}
)

select
    cast(report_id as varchar) as report_id,
    cast(section_code as varchar) as section_code,
    cast("text" as varchar) as section_text,
    cast(load_seq as bigint) as load_seq
from source
