{#-
    文本重复 — the post-hook of int_text_reuse_sides (incremental on report_id, see the model's docstring): the
    model writes the rows of the reports whose rows a change can alter; the rows of reports that no longer take
    part (removed, superseded, no agency or year any more) are deleted here, after the model has read them to
    find the reports that pointed at them.
-#}
{% macro nianbao_drop_text_reuse_leavers() -%}
    delete from {{ this }}
    where report_id not in (
        select report_id from {{ ref('dim_report') }}
        where is_current and agency_id is not null and year is not null
    )
{%- endmacro %}
