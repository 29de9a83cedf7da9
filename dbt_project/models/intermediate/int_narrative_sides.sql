{#-
    正文与表格核对 — the two sides of the checks of the prose against the tables, one row per report × check,
    in the row shape of fct_relation_sides (NARRATIVE_APPLICATIONS, new applications, is declared in
    relations.yaml):
      NARRATIVE_CARRIED_OVER    the prose's 上年结转N件 (actual) = table 三's 上年结转 总计;
      NARRATIVE_HANDLED         the prose's 办结N件 (actual) = table 三's （七）总计 总计;
      NARRATIVE_CARRIED_FORWARD the prose's N件结转下年度 (actual) = table 三's 结转下年度继续办理 总计;
      NARRATIVE_REVIEW          the prose's 行政复议N起 (actual) = table 四's 行政复议 总计;
      NARRATIVE_LITIGATION      the prose's 行政诉讼N起 (actual) = table 四's 未经复议直接起诉 + 复议后起诉 总计;
                                all `≤` (the table reaches it) when the prose says N余/N多 (a lower bound);
      NARRATIVE_FEE             section 六 says no fee was charged (未收取…费): table 二's 行政事业性收费 amount
                                (actual) ≤ 0;
      NARRATIVE_PROBLEMS        section 五 (存在的主要问题及改进情况) has at least two sentences (0 when missing).
    A fact the prose does not state gives no row.
-#}
with reports as (
    select report_id, agency, year, string_split(coalesce(tables_found, ''), ',') as tables
    from {{ ref('dim_report') }}
),

-- the check each narrative fact is compared by, and the table it is compared with
fact_checks (fact_code, check_id, table_code) as (
    values
        ('carried_over', 'NARRATIVE_CARRIED_OVER', 'applications'),
        ('total_handled', 'NARRATIVE_HANDLED', 'applications'),
        ('carried_forward', 'NARRATIVE_CARRIED_FORWARD', 'applications'),
        ('review_cases', 'NARRATIVE_REVIEW', 'review_litigation'),
        ('litigation_cases', 'NARRATIVE_LITIGATION', 'review_litigation')
),

facts as (
    select narrative.report_id, narrative.fact_code, fact_checks.check_id, fact_checks.table_code,
           cast(narrative.value as double) as stated, narrative.is_lower_bound
    from {{ ref('stg_nianbao__narrative_facts') }} as narrative
    inner join fact_checks on fact_checks.fact_code = narrative.fact_code
),

-- the table's side of each fact: its value, and whether a cell it needs is blank
table_sides as (
    select report_id, 'carried_over' as fact_code, cast(carried_over as double) as value,
           carried_over is null as any_null
    from {{ ref('fct_applications') }} where applicant_type = 'total'
    union all
    select report_id, 'total_handled', cast(total_processed as double), total_processed is null
    from {{ ref('fct_applications') }} where applicant_type = 'total'
    union all
    select report_id, 'carried_forward', cast(carried_forward as double), carried_forward is null
    from {{ ref('fct_applications') }} where applicant_type = 'total'
    union all
    select report_id, 'review_cases',
        cast(sum("count") filter (where block_code = 'review') as double),
        coalesce(bool_or("count" is null) filter (where block_code = 'review'), true)
    from {{ ref('fct_litigation') }} where result_code = 'total' group by report_id
    union all
    select report_id, 'litigation_cases',
        cast(sum("count") filter (where block_code in ('litigation_direct', 'litigation_after_review')) as double),
        coalesce(bool_or("count" is null) filter (where block_code != 'review'), true)
            or count(*) filter (where block_code != 'review') < 2
    from {{ ref('fct_litigation') }} where result_code = 'total' group by report_id
),

stated as (
    select
        facts.report_id,
        facts.check_id,
        facts.fact_code as scope,
        'report' as per,
        case when facts.is_lower_bound then '<=' else '=' end as relation,
        list_contains(reports.tables, facts.table_code) as table_found,
        coalesce(table_sides.any_null, true) as any_null,
        table_sides.value as expected,
        facts.stated as actual,
        reports.agency,
        reports.year
    from facts
    inner join reports on reports.report_id = facts.report_id
    left join table_sides on table_sides.report_id = facts.report_id and table_sides.fact_code = facts.fact_code
),

sections as (
    select report_id, section_code, section_text from {{ ref('stg_nianbao__report_sections') }}
),

no_fee as (
    select report_id from sections
    where section_code = 'other_matters'
        and regexp_matches(section_text, '(未|没有|不|无)(收取|收|产生)[^。；]{0,12}费')
),

fees as (
    select report_id, max(value) as amount from {{ ref('fct_disclosure') }}
    where item_code = 'fees' and measure_code = 'amount_10k_yuan'
    group by report_id
),

fee as (
    select
        no_fee.report_id, 'NARRATIVE_FEE' as check_id, 'disclosure.fees.amount_10k_yuan' as scope,
        'report' as per, '<=' as relation, list_contains(reports.tables, 'disclosure') as table_found,
        fees.amount is null as any_null, 0.0 as expected, cast(fees.amount as double) as actual,
        reports.agency, reports.year
    from no_fee
    inner join reports on reports.report_id = no_fee.report_id
    left join fees on fees.report_id = no_fee.report_id
    where reports.tables is not null and list_contains(reports.tables, 'disclosure')
        and fees.report_id is not null
),

problems as (
    select
        reports.report_id, 'NARRATIVE_PROBLEMS' as check_id, 'problems_section' as scope,
        'report' as per, '>=' as relation, true as table_found, false as any_null, 2.0 as expected,
        cast(coalesce(len(list_filter(regexp_split_to_array(sections.section_text, '[。！？!?；;]'),
                                      lambda s: length(trim(s)) > 1)), 0) as double) as actual,
        reports.agency, reports.year
    from reports
    left join sections on sections.report_id = reports.report_id and sections.section_code = 'problems'
    -- reports loaded before sections were recorded have no section rows at all: not judged
    where reports.report_id in (select report_id from sections)
)

select *, [actual, expected] as term_values, null::varchar as related_report_id from stated
union all
select *, [actual] as term_values, null::varchar as related_report_id from fee
union all
select *, [actual] as term_values, null::varchar as related_report_id from problems
