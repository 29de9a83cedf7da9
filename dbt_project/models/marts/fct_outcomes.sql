-- 办理结果 — report × outcome row × applicant type: the outcome rows of table 三 (（一）…（六）), with their group.
-- The four balance rows are in fct_applications. An unknown row code is kept (group null) so that the
-- relationships test reports it instead of it vanishing.
with outcome_cells as (
    select *
    from {{ ref('int_cells_cast_to_counts') }}
    where table_code = 'applications'
        and row_code not in ('new_received', 'carried_over', 'total_processed', 'carried_forward')
        and {{ nianbao_needs_build('report_id', 'load_seq') }}
)

select
    outcome_cells.report_id,
    outcome_cells.row_code as outcome_code,
    outcome_cells.col_code as applicant_type,
    outcomes.outcome_group,
    outcome_cells.cell_count as "count"
from outcome_cells
left join {{ ref('dim_outcome') }} as outcomes
    on outcomes.outcome_code = outcome_cells.row_code
