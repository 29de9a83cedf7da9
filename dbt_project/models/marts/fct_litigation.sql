-- 行政复议、行政诉讼 — report × block × result: the 15 cells of table 四. Nulls stay null.
select
    report_id,
    row_code as block_code,
    col_code as result_code,
    cell_count as "count"
from {{ ref('int_cells_cast_to_counts') }}
where table_code = 'review_litigation'
    and {{ nianbao_needs_build('report_id', 'load_seq') }}
