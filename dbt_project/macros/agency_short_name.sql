{#-
    简称 — a short display name for an agency, derived from its full name by plain rules (the full name stays
    the identity): drop 中华人民共和国; for a street office drop the parent government's 人民政府 and the
    trailing 办事处 (北京市丰台区人民政府西罗园街道办事处 → 北京市丰台区西罗园街道); for a township drop the trailing
    人民政府; then drop a leading province-level name when a lower-level unit follows it (→ 丰台区西罗园街道).
    Names the rules do not cover are returned unchanged.
-#}
{% macro agency_short_name(name) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace({{ name }}, '^中华人民共和国(.+)$', '\1'),
                    '^(.*)人民政府(.+(街道|地区))办事处$', '\1\2'),
                '^(.+(街道|地区))办事处$', '\1'),
            '^(.+[乡镇])人民政府$', '\1'),
        '^(北京市|天津市|上海市|重庆市|[^省]{2,3}省|[^区]{2,8}自治区)(.+?[市区县旗].+)$', '\2')
{%- endmacro %}
