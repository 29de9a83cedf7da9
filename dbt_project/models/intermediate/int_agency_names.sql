{#-
    机关名称归并 — one row per name printed as a report's agency (its title), signature or 发布机构, with the agency
    it resolves to and why. The resolution, in order of precedence:
      override         the operator's seed agency_overrides says which name it is the same agency as (or, with
                       an empty same_as, that it is an agency of its own);
      full_name        the name states its region (the gazetteer's province, city, county, unambiguous) or is a
                       State Council department: its key is the region and its canonical body, so
                       北京市朝阳区人民政府东湖街道办事处 and 北京市朝阳区东湖街道 are one agency;
      region_completed a name whose region is partial or ambiguous (朝阳区东湖街道) matches exactly one full name
                       with the same body and every region part it does state;
      same_domain      several full names match, and exactly one of them published from the same site (原文链接);
      signed_as        a name without a region that a report titled with a shorter form of it signs or publishes
                       with (平潭综合实验区 signed 平潭综合实验区管委会办公室), when the two never title reports of the
                       same year;
      unresolved       none of the above: the name stays an agency of its own (东湖街道 alone is never merged).
    agency_key is the resolved canonical key and agency_id the first 16 hex digits of its md5: stable across
    runs, unchanged when a new year arrives unless that year makes a partial name ambiguous (then flagged).
    A table, rebuilt whole every run (the resolution is corpus-wide): as a view, dim_report (twice, through
    int_report_versions), dim_agency and dim_agency_name each resolved every name again (~0.2–0.3 CPU s each
    at 100,000 reports).
-#}
{{ config(materialized='table') }}
with report_names as (
    select names.report_id, names.name_role, names.agency_name, names.body, names.admin_level,
           names.province, names.city, names.county, names.region_ambiguous,
           reports.year, reports.source_domain
    from {{ ref('stg_nianbao__agency_names') }} as names
    inner join {{ ref('stg_nianbao__reports') }} as reports on reports.report_id = names.report_id
    union all
    -- reports loaded before agency names were recorded: their title as the extractor described it then
    select reports.report_id, 'title', reports.agency, reports.agency, reports.admin_level,
           reports.province, reports.city, reports.county, false, reports.year, reports.source_domain
    from {{ ref('stg_nianbao__reports') }} as reports
    where reports.agency is not null
        and reports.report_id not in (select report_id from {{ ref('stg_nianbao__agency_names') }})
),

names as (
    select
        agency_name,
        any_value(body) as body,
        any_value(admin_level) as admin_level,
        any_value(province) as province,
        any_value(city) as city,
        any_value(county) as county,
        bool_or(region_ambiguous) as region_ambiguous,
        count(distinct report_id) filter (where name_role = 'title') as title_reports,
        list(distinct name_role order by name_role) as roles,
        list(distinct source_domain order by source_domain) filter (where source_domain is not null) as domains
    from report_names
    group by agency_name
),

described as (
    select *,
        not region_ambiguous and (province is not null or admin_level = '国务院部门') as is_full,
        concat_ws('|', coalesce(province, ''), coalesce(city, ''), coalesce(county, ''), body) as full_key
    from names
),

full_names as (
    select full_key, body, province, city, county, flatten(list(domains)) as domains
    from described
    where is_full
    group by full_key, body, province, city, county
),

-- a partial name's candidates: full names of the same body that agree with every region part it states
candidates as (
    select partial.agency_name, full_names.full_key,
           len(list_intersect(coalesce(partial.domains, []), coalesce(full_names.domains, []))) > 0 as same_domain
    from described as partial
    inner join full_names
        on full_names.body = partial.body
        and (partial.county is null or full_names.county = partial.county)
        and (partial.city is null or full_names.city = partial.city)
        and (partial.province is null or full_names.province = partial.province)
    where not partial.is_full
        -- a bare short name (东湖街道: no region at all) is never completed from the body alone
        and (partial.county is not null or partial.city is not null or partial.province is not null)
),

completed as (
    select agency_name,
        case when count(*) = 1 then any_value(full_key)
             when count(*) filter (where same_domain) = 1 then any_value(full_key) filter (where same_domain)
        end as full_key,
        case when count(*) = 1 then 'region_completed'
             when count(*) filter (where same_domain) = 1 then 'same_domain'
        end as reason,
        count(*) as candidate_count
    from candidates
    group by agency_name
),

first_pass as (
    select described.*,
        coalesce(case when described.is_full then described.full_key end, completed.full_key,
                 'name|' || described.agency_name) as first_key,
        coalesce(case when described.is_full then 'full_name' end, completed.reason, 'unresolved') as first_reason,
        coalesce(completed.candidate_count, 0) as candidate_count
    from described
    left join completed on completed.agency_name = described.agency_name
),

title_years as (
    select agency_name, list(distinct year) as years
    from report_names where name_role = 'title' and year is not null group by agency_name
),

-- a signature or 发布机构 that extends the title's name (平潭综合实验区 → 平潭综合实验区管委会办公室) and has no
-- region of its own is the same agency, unless both names title reports of one year (two agencies)
signed as (
    select alias.agency_name, any_value(titled_pass.first_key) as first_key, count(distinct titled_pass.first_key) as keys
    from report_names as alias
    inner join report_names as titled
        on titled.report_id = alias.report_id and titled.name_role = 'title'
    inner join first_pass as alias_pass on alias_pass.agency_name = alias.agency_name
    inner join first_pass as titled_pass on titled_pass.agency_name = titled.agency_name
    left join title_years as alias_years on alias_years.agency_name = alias.agency_name
    left join title_years as titled_years on titled_years.agency_name = titled.agency_name
    where alias.name_role in ('signature', 'publisher')
        and alias.agency_name != titled.agency_name
        and starts_with(alias.agency_name, titled.agency_name)
        and alias_pass.first_reason = 'unresolved'
        and len(list_intersect(coalesce(alias_years.years, []), coalesce(titled_years.years, []))) = 0
    group by alias.agency_name
),

overrides as (
    select name, nullif(trim(coalesce(same_as, '')), '') as same_as from {{ ref('agency_overrides') }}
),

resolved as (
    select first_pass.*,
        case when overrides.name is not null and overrides.same_as is null then 'override|' || first_pass.agency_name
             when overrides.name is not null then coalesce(target.first_key, 'override|' || overrides.same_as)
             when signed.keys = 1 then signed.first_key
             else first_pass.first_key end as agency_key,
        case when overrides.name is not null then 'override'
             when signed.keys = 1 then 'signed_as'
             else first_pass.first_reason end as resolution
    from first_pass
    left join overrides on overrides.name = first_pass.agency_name
    left join first_pass as target on target.agency_name = overrides.same_as
    left join signed on signed.agency_name = first_pass.agency_name
)

select
    agency_name,
    substr(md5(agency_key), 1, 16) as agency_id,
    agency_key,
    resolution,
    case resolution
        when 'override' then 'agency_overrides seed'
        when 'full_name' then 'region and body stated by the name'
        when 'region_completed' then 'the only full name with this body in ' || coalesce(county, city, province)
        when 'same_domain' then 'one of ' || candidate_count || ' full names, the one published from the same site'
        when 'signed_as' then 'signature or 发布机构 of a report titled with a shorter form of this name'
        else case when candidate_count > 1 then candidate_count || ' agencies share this body in '
                       || coalesce(county, city, province) || ': not merged'
                  when region_ambiguous then 'region ambiguous and no full name matches'
                  else 'no region in the name: a short name is never merged on its own' end
    end as resolution_detail,
    resolution = 'unresolved' as is_unresolved,
    body,
    admin_level,
    province,
    city,
    county,
    region_ambiguous,
    title_reports,
    roles
from resolved
