{#-
    按报告限定的测试 — the data tests of a model listed in nianbao_per_report_models (its rows, and every test on
    them, hold report by report: keys include report_id, values come from the report's own raw rows) read only the rows of
    the reports this run builds or removes (see incremental_reports.sql), so a run adding ten reports to a
    large warehouse tests ten reports' rows instead of every table in full. Rows without a report are always
    tested. dbt wraps the tested model of every generic test in get_where_subquery; this is dbt's own
    default__get_where_subquery with the scope added to the test's `where` for those models.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if execute and nianbao_is_per_report(relation) -%}
        {%- set load_seq = 'load_seq' if relation.identifier in nianbao_load_seq_models() else none -%}
        {%- set scoped = '(' ~ nianbao_in_build_scope(load_seq) ~ ')' -%}
        {%- set where = scoped ~ ' and (' ~ where ~ ')' if where else scoped -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{#- The models whose rows, and every data test on them, hold report by report: a report's rows come from its
    own raw rows only, and every key includes report_id. Not stg_nianbao__documents (unique path), nor what
    compares reports (versions, agencies, years, text reuse) or is rebuilt whole (dimensions). -#}
{% macro nianbao_per_report_models() -%}
    {{ return([
        'stg_nianbao__cells', 'stg_nianbao__reports', 'stg_nianbao__parse_issues', 'stg_nianbao__narrative_facts',
        'stg_nianbao__agency_names', 'stg_nianbao__report_sections',
        'int_reports_loaded', 'int_applications_pivoted_to_applicant_types', 'int_text_signatures',
        'int_report_contents',
        'fct_applications', 'fct_outcomes', 'fct_disclosure', 'fct_procurement', 'fct_litigation',
        'fct_relation_sides',
    ]) }}
{%- endmacro %}


{#- Whether `relation` is one of those models. -#}
{% macro nianbao_is_per_report(relation) -%}
    {{ return(relation.schema in ('staging', 'intermediate', 'marts')
              and relation.identifier in nianbao_per_report_models()) }}
{%- endmacro %}


{#- The per-report models that pass the raw rows' load_seq (the extractor's load batch, the same on a report's
    rows): their tests skip the rows loaded before the scope's reports a row group at a time. -#}
{% macro nianbao_load_seq_models() -%}
    {{ return([
        'stg_nianbao__cells', 'stg_nianbao__reports', 'stg_nianbao__narrative_facts', 'stg_nianbao__agency_names',
        'stg_nianbao__report_sections', 'int_applications_pivoted_to_applicant_types',
    ]) }}
{%- endmacro %}
