-- 政府集中采购 — one row per F2019 report (F2021 dropped the row): projects and amount in 万元.
-- A report whose procurement row was not read has nulls here (not reported), never 0. A report of unknown
-- format that has a procurement row is kept too (the row exists only in F2019).
with reports as (
    select report_id, template
    from {{ ref('stg_nianbao__reports') }}
    where {{ nianbao_needs_build('report_id', 'load_seq') }}
),

procurement as (
    select
        report_id,
        max(value) filter (where col_code = 'projects') as projects,
        max(value) filter (where col_code = 'amount_10k_yuan') as amount_10k_yuan
    from {{ ref('stg_nianbao__cells') }}
    where table_code = 'disclosure'
        and row_code = 'procurement'
        and {{ nianbao_needs_build('report_id', 'load_seq') }}
    group by report_id
)

select
    reports.report_id,
    {{ to_count('procurement.projects') }} as projects,
    cast(procurement.amount_10k_yuan as decimal(18, 4)) as amount_10k_yuan
from reports
left join procurement on procurement.report_id = reports.report_id
where reports.template = 'F2019'
    or procurement.report_id is not null
