-- 正文数据 — one row per report × fact stated in the prose. Renamed and typed, nothing else.
with source as (
    select * from {{ source('nianbao', 'narrative_facts') }}
)

select
    cast(report_id as varchar) as report_id,
    cast(fact_code as varchar) as fact_code,
    cast(value as decimal(18, 4)) as value,
    cast(is_lower_bound as boolean) as is_lower_bound,
    cast(sentence as varchar) as sentence,
    cast(line as integer) as source_line,
    cast(load_seq as bigint) as load_seq
from source
