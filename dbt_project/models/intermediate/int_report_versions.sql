{#-
    报告版本 — one row per report with its agency (the agency its title name resolves to; else its signature's,
    else its 发布机构's) and whether it is the current report of its agency × year. Several files of one
    agency-year are one report in several forms or versions; exactly one is current:
      newer_version  a re-publication: marked as a correction in its file name (更正/修订/修正), or published
                     later (发布时间 of the crawled page);
      more_complete  more cells read (a page whose tables are pictures against its attachment);
      fewer_issues   as many cells, fewer parse issues;
      same_content   the same cells (a page and its text dump, an HTML page and its PDF): the first by id;
      tie_break      different cells that nothing above tells apart: the first by id;
      only_report    the agency-year has no other report.
    `current_reason` says, for the current report, why it won over the runner-up, and for a superseded one,
    why the current one won over it. Reports without an agency or a year are each current on their own.
-#}
with reports as (
    select * from {{ ref('int_reports_loaded') }}
),

sources as (
    select report_id, published_on, source_domain, signed_by, publisher
    from {{ ref('stg_nianbao__reports') }}
),

names as (
    select report_names.report_id, report_names.name_role, resolved.agency_id
    from {{ ref('stg_nianbao__agency_names') }} as report_names
    inner join {{ ref('int_agency_names') }} as resolved on resolved.agency_name = report_names.agency_name
    union all
    select reports.report_id, 'title', resolved.agency_id
    from reports
    inner join {{ ref('int_agency_names') }} as resolved on resolved.agency_name = reports.agency
),

report_agency as (
    select report_id,
        coalesce(any_value(agency_id) filter (where name_role = 'title'),
                 any_value(agency_id) filter (where name_role = 'signature'),
                 any_value(agency_id) filter (where name_role = 'publisher')) as agency_id
    from names
    group by report_id
),

contents as (
    select report_id, content_hash, cells_read from {{ ref('int_report_contents') }}
),

versions as (
    select
        reports.report_id,
        report_agency.agency_id,
        reports.year,
        coalesce(contents.content_hash, 'empty:' || reports.report_id) as content_hash,
        coalesce(contents.cells_read, 0) as cells_read,
        reports.parse_issue_count,
        sources.published_on,
        regexp_matches(coalesce(reports.file_name, ''), '更正|修订|修正|更新') as marked_correction
    from reports
    left join report_agency on report_agency.report_id = reports.report_id
    left join contents on contents.report_id = reports.report_id
    left join sources on sources.report_id = reports.report_id
),

ranked as (
    select *,
        row_number() over (
            partition by coalesce(agency_id, 'report:' || report_id), coalesce(cast(year as varchar), report_id)
            order by marked_correction desc, published_on desc nulls last, cells_read desc,
                     parse_issue_count asc, report_id
        ) as version_rank,
        count(*) over (
            partition by coalesce(agency_id, 'report:' || report_id), coalesce(cast(year as varchar), report_id)
        ) as versions
    from versions
),

compared as (
    -- each report against the current one; the current one against the runner-up
    select ranked.*,
        winner.report_id as current_report_id,
        coalesce(runner.report_id, ranked.report_id) as other_id,
        case when ranked.version_rank = 1 then ranked.content_hash = runner.content_hash
             else ranked.content_hash = winner.content_hash end as same_content,
        case when ranked.version_rank = 1 then runner.marked_correction else winner.marked_correction end
            as other_marked,
        case when ranked.version_rank = 1 then runner.published_on else winner.published_on end as other_published,
        case when ranked.version_rank = 1 then runner.cells_read else winner.cells_read end as other_cells,
        case when ranked.version_rank = 1 then runner.parse_issue_count else winner.parse_issue_count end
            as other_issues
    from ranked
    inner join ranked as winner
        on winner.version_rank = 1
        and coalesce(winner.agency_id, 'report:' || winner.report_id)
            = coalesce(ranked.agency_id, 'report:' || ranked.report_id)
        and coalesce(cast(winner.year as varchar), winner.report_id)
            = coalesce(cast(ranked.year as varchar), ranked.report_id)
    left join ranked as runner
        on runner.version_rank = 2
        and runner.agency_id = ranked.agency_id
        and runner.year = ranked.year
)

select
    report_id,
    agency_id,
    year,
    content_hash,
    cells_read,
    version_rank = 1 as is_current,
    current_report_id,
    versions as version_count,
    case
        when versions = 1 then 'only_report'
        when same_content then 'same_content'
        when version_rank = 1 and (marked_correction and not other_marked
                                   or published_on > other_published) then 'newer_version'
        when version_rank > 1 and (other_marked and not marked_correction
                                   or other_published > published_on) then 'newer_version'
        when cells_read != other_cells then 'more_complete'
        when parse_issue_count != other_issues then 'fewer_issues'
        else 'tie_break'
    end as current_reason
from compared
