-- 主动公开 — report × section-二 item × measure, both formats (the measure codes differ: see dim_disclosure_item).
-- Values are DECIMAL(18,4): counts, the signed `change`, and amounts in 万元. Nulls stay null.
with disclosure_cells as (
    select *
    from {{ ref('stg_nianbao__cells') }}
    where table_code = 'disclosure'
        and {{ nianbao_needs_build('report_id', 'load_seq') }}
)

select
    disclosure_cells.report_id,
    reports.template,
    disclosure_cells.row_code as item_code,
    disclosure_cells.col_code as measure_code,
    disclosure_cells.value,
    disclosure_cells.raw_text
from disclosure_cells
left join {{ ref('stg_nianbao__reports') }} as reports
    on reports.report_id = disclosure_cells.report_id
