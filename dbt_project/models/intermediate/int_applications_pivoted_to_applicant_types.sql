-- 申请情况（按申请人类型）— table 三 pivoted to one row per report × applicant type (column), with the four
-- balance rows as columns. A cell that is null, or absent, gives null: never 0.
select
    report_id,
    col_code as applicant_type,
    max(cell_count) filter (where row_code = 'new_received') as new_received,
    max(cell_count) filter (where row_code = 'carried_over') as carried_over,
    max(cell_count) filter (where row_code = 'total_processed') as total_processed,
    max(cell_count) filter (where row_code = 'carried_forward') as carried_forward,
    -- the same on every row of a report: a key of the grouping, so a filter on it reaches the raw scan
    load_seq
from {{ ref('int_cells_cast_to_counts') }}
where table_code = 'applications'
group by report_id, load_seq, col_code
