-- 收到和处理申请 — report × applicant type: the four balance rows of table 三
-- (new_received + carried_over = total_processed + carried_forward). Nulls stay null.
select
    pivoted.report_id,
    pivoted.applicant_type,
    pivoted.applicant_type = 'total' as is_total,
    pivoted.new_received,
    pivoted.carried_over,
    pivoted.total_processed,
    pivoted.carried_forward
from {{ ref('int_applications_pivoted_to_applicant_types') }} as pivoted
where {{ nianbao_needs_build('pivoted.report_id', 'pivoted.load_seq') }}
