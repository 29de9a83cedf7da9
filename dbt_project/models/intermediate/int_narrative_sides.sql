{#-
    正文与表格核对 — the two sides of the checks of the prose against the tables, one row per report × check,
    in the row shape of fct_relation_sides (NARRATIVE_APPLICATIONS, new applications, is declared in
    relations.yaml):
      NARRATIVE_REVIEW      the prose's 行政复议N起 (actual) = table 四's 行政复议 总计;
      NARRATIVE_LITIGATION  the prose's 行政诉讼N起 (actual) = table 四's 未经复议直接起诉 + 复议后起诉 总计;
                            both `≤` (the table reaches it) when the prose says N余/N多 (a lower bound);
      NARRATIVE_FEE         section 六 says no fee was charged (未收取…费): table 二's 行政事业性收费 amount
                            (actual) ≤ 0;
      NARRATIVE_PROBLEMS    section 五 (存在的主要问题及改进情况) has at least two sentences (0 when missing).
    A fact the prose does not state gives no row.
-#}
with reports as (
    select report_id, agency, year, string_split(coalesce(tables_found, ''), ',') as tables
    from {{ ref('dim_report') }}
),

facts as (
    select report_id, fact_code, cast(value as double) as stated, is_lower_bound
    from {{ ref('stg_nianbao__narrative_facts') }}
    where fact_code in ('review_cases', 'litigation_cases')
),

litigation as (
    select report_id,
        sum("count") filter (where block_code = 'review') as review_total,
        sum("count") filter (where block_code in ('litigation_direct', 'litigation_after_review'))
            as litigation_total,
        bool_or("count" is null) filter (where block_code = 'review') as review_null,
        bool_or("count" is null) filter (where block_code != 'review') as litigation_null,
        count(*) filter (where block_code != 'review') as litigation_cells
    from {{ ref('fct_litigation') }}
    where result_code = 'total'
    group by report_id
),

stated as (
    select
        facts.report_id,
        case facts.fact_code when 'review_cases' then 'NARRATIVE_REVIEW' else 'NARRATIVE_LITIGATION' end as check_id,
        facts.fact_code as scope,
        'report' as per,
        case when facts.is_lower_bound then '<=' else '=' end as relation,
        list_contains(reports.tables, 'review_litigation') as table_found,
        case facts.fact_code
            when 'review_cases' then coalesce(litigation.review_null, true)
            else coalesce(litigation.litigation_null, true) or coalesce(litigation.litigation_cells, 0) < 2
        end as any_null,
        cast(case facts.fact_code when 'review_cases' then litigation.review_total
                                  else litigation.litigation_total end as double) as expected,
        facts.stated as actual,
        reports.agency,
        reports.year
    from facts
    inner join reports on reports.report_id = facts.report_id
    left join litigation on litigation.report_id = facts.report_id
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
