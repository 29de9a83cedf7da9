-- 机关年度 — one row per agency × year: the key numbers of its current report (dim_report.is_current), how many
-- of the relations beyond its tables it fails (fct_agency_relation_sides: across years, against the prose),
-- and how much of its text it reused. Superseded versions are not counted; nulls stay null.
with current_reports as (
    select report_id, agency_id, year, version_count
    from {{ ref('dim_report') }}
    where is_current and agency_id is not null and year is not null
),

applications as (
    select report_id, new_received, carried_over, total_processed, carried_forward
    from {{ ref('fct_applications') }}
    where applicant_type = 'total'
),

outcomes as (
    select report_id,
        sum("count") filter (where outcome_group = 'granted') as granted,
        sum("count") filter (where outcome_group = 'partially_granted') as partially_granted,
        sum("count") filter (where outcome_group = 'denied') as denied,
        sum("count") filter (where outcome_group = 'unable_to_provide') as unable,
        -- a group with a null cell has no total: never read as 0
        bool_or("count" is null) filter (where outcome_group = 'granted') as granted_null,
        bool_or("count" is null) filter (where outcome_group = 'denied') as denied_null,
        bool_or("count" is null) filter (where outcome_group = 'unable_to_provide') as unable_null
    from {{ ref('fct_outcomes') }}
    where applicant_type = 'total'
    group by report_id
),

litigation as (
    select report_id,
        max("count") filter (where block_code = 'review') as review_total,
        case when count("count") filter (where block_code != 'review') = 2
             then sum("count") filter (where block_code != 'review') end as litigation_total
    from {{ ref('fct_litigation') }}
    where result_code = 'total'
    group by report_id
),

sides as (
    select report_id,
        count(*) filter (where not any_null and table_found and check_id != 'TEXT_REUSE' and (
            (relation = '=' and actual != expected) or (relation = '>=' and actual < expected)
            or (relation = '<=' and actual > expected))) as relations_failed,
        count(*) filter (where not any_null and table_found and check_id != 'TEXT_REUSE') as relations_assessed,
        max(actual) filter (where check_id = 'TEXT_REUSE' and ends_with(scope, '_previous_year')) as reuse_previous_year,
        max(actual) filter (where check_id = 'TEXT_REUSE' and scope = 'cross_agency') as reuse_other_agency,
        any_value(related_report_id) filter (where check_id = 'TEXT_REUSE' and scope = 'cross_agency')
            as reuse_other_report_id
    from {{ ref('fct_agency_relation_sides') }}
    group by report_id
)

select
    current_reports.agency_id,
    current_reports.year,
    current_reports.report_id as current_report_id,
    current_reports.version_count,
    applications.new_received,
    applications.carried_over,
    applications.total_processed,
    case when not outcomes.granted_null then outcomes.granted end as granted,
    outcomes.partially_granted,
    case when not outcomes.denied_null then outcomes.denied end as denied,
    case when not outcomes.unable_null then outcomes.unable end as unable,
    applications.carried_forward,
    litigation.review_total,
    litigation.litigation_total,
    coalesce(sides.relations_failed, 0) as relations_failed,
    coalesce(sides.relations_assessed, 0) as relations_assessed,
    sides.reuse_previous_year,
    sides.reuse_other_agency,
    sides.reuse_other_report_id
from current_reports
left join applications on applications.report_id = current_reports.report_id
left join outcomes on outcomes.report_id = current_reports.report_id
left join litigation on litigation.report_id = current_reports.report_id
left join sides on sides.report_id = current_reports.report_id
