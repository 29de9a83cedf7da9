-- 跨年度、正文与文本重复核对 — the two sides of the checks that look beyond one report's tables: across an
-- agency's consecutive years (CROSS_CARRY, CROSS_IN_FORCE), the prose against the tables (NARRATIVE_*) and
-- text reuse (TEXT_REUSE), one row per report × check × scope, in the row shape of fct_relation_sides plus
-- related_report_id (the other report compared: last year's, or the most similar one).
select report_id, check_id, scope, per, relation, table_found, any_null, expected, actual,
       cast(term_values as double[]) as term_values, agency, year, related_report_id
from {{ ref('int_cross_year_sides') }}
union all
select report_id, check_id, scope, per, relation, table_found, any_null, expected, actual,
       cast(term_values as double[]), agency, year, related_report_id
from {{ ref('int_narrative_sides') }}
union all
select report_id, check_id, scope, per, relation, table_found, any_null, expected, actual,
       cast(term_values as double[]), agency, cast(year as integer), cast(related_report_id as varchar)
from {{ ref('int_text_reuse_sides') }}
-- a table built with the rest of the project: rows of a report since removed never outlive it here
where report_id in (select report_id from {{ ref('dim_report') }})
