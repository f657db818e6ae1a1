{#- funnel_overall per workspace: each client of an agency apart (a person is in one workspace,
    so the rows add up to funnel_overall, tools and ratios aside). -#}
select p.workspace, count(*) as people,
       count(*) filter (where p.tools > 1) as people_in_several_tools,
       count(*) filter (where p.tools_reached > 1) as reached_by_several_tools,
       count(*) filter (where p.reached) as reached,
       count(*) filter (where p.replied_anywhere) as replied_anywhere,
       count(*) filter (where p.positive_anywhere) as positive_anywhere,
       count(*) filter (where p.emailed_after_positive) as emailed_after_positive,
       max(e.enrollments) as enrollments, max(e.tools) as tools
from {{ ref('people') }} p
left join (
    select workspace, count(*) as enrollments, count(distinct vendor) as tools
    from {{ ref('enrollments') }} group by workspace
) e on e.workspace = p.workspace
group by p.workspace
