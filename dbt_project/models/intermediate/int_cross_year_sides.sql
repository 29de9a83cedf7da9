{#-
    跨年度核对 — the two sides of the checks between an agency's consecutive years, one row per current report
    (year N+1) × check × scope, in the row shape of fct_relation_sides (plus related_report_id, the year-N
    report). Only current reports take part (dim_report.is_current): a superseded version is never compared.
      CROSS_CARRY     year N+1's 上年结转 (actual) = year N's 结转下年度继续办理 (expected), per applicant column;
      CROSS_IN_FORCE  F2021: this year's 现行有效件数 (actual) = last year's 现行有效件数 + 本年制发 − 本年废止;
                      F2019: this year's 对外公开总数量 = last year's 对外公开总数量 + 本年新公开数量;
                      per item (规章, 规范性文件); a pair across the two formats is not assessable.
    When year N is missing, or either side has a null cell, any_null is true (not assessable).
-#}
with pairs as (
    select * from {{ ref('int_cross_year_pairs') }}
),

applications as (
    select report_id, applicant_type, carried_over, carried_forward from {{ ref('fct_applications') }}
),

carry as (
    select
        pairs.report_id,
        'CROSS_CARRY' as check_id,
        types.applicant_type as scope,
        'column' as per,
        '=' as relation,
        list_contains(pairs.tables, 'applications') as table_found,
        pairs.earlier_report_id is null or later_cells.carried_over is null
            or earlier_cells.carried_forward is null as any_null,
        cast(earlier_cells.carried_forward as double) as expected,
        cast(later_cells.carried_over as double) as actual,
        [cast(later_cells.carried_over as double), cast(earlier_cells.carried_forward as double)] as term_values,
        pairs.agency,
        pairs.year,
        pairs.earlier_report_id as related_report_id
    from pairs
    cross join {{ ref('dim_applicant_type') }} as types
    left join applications as later_cells
        on later_cells.report_id = pairs.report_id and later_cells.applicant_type = types.applicant_type
    left join applications as earlier_cells
        on earlier_cells.report_id = pairs.earlier_report_id and earlier_cells.applicant_type = types.applicant_type
),

disclosure as (
    select report_id, item_code,
           max(value) filter (where measure_code = 'issued') as issued,
           max(value) filter (where measure_code = 'repealed') as repealed,
           max(value) filter (where measure_code = 'in_force') as in_force,
           max(value) filter (where measure_code = 'published') as published,
           max(value) filter (where measure_code = 'total_public') as total_public
    from {{ ref('fct_disclosure') }}
    where item_code in ('regulations', 'normative_documents')
    group by report_id, item_code
),

in_force_terms as (
    select
        pairs.*,
        items.item_code,
        case when pairs.template = 'F2021' and pairs.earlier_template = 'F2021'
                 then [later_items.in_force, earlier_items.in_force, later_items.issued, later_items.repealed]
             when pairs.template = 'F2019' and pairs.earlier_template = 'F2019'
                 then [later_items.total_public, earlier_items.total_public, later_items.published]
        end as terms
    from pairs
    cross join (values ('regulations'), ('normative_documents')) as items (item_code)
    left join disclosure as later_items
        on later_items.report_id = pairs.report_id and later_items.item_code = items.item_code
    left join disclosure as earlier_items
        on earlier_items.report_id = pairs.earlier_report_id and earlier_items.item_code = items.item_code
),

in_force as (
    select
        report_id,
        'CROSS_IN_FORCE' as check_id,
        item_code as scope,
        'row' as per,
        '=' as relation,
        list_contains(tables, 'disclosure') as table_found,
        terms is null or len(list_filter(terms, lambda t: t is null)) > 0 as any_null,
        cast(case when len(terms) = 4 then terms[2] + terms[3] - terms[4]
                  when len(terms) = 3 then terms[2] + terms[3] end as double) as expected,
        cast(terms[1] as double) as actual,
        cast(terms as double[]) as term_values,
        agency,
        year,
        earlier_report_id as related_report_id
    from in_force_terms
)

select * from carry
union all
select * from in_force
