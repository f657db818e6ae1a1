{#- The whole funnel in one row: people across every tool, each counted once. -#}
select count(*) as people, count(*) filter (where p.tools > 1) as people_in_several_tools,
       count(*) filter (where p.tools_reached > 1) as reached_by_several_tools,
       count(*) filter (where p.reached) as reached,
       count(*) filter (where p.replied_anywhere) as replied_anywhere,
       count(*) filter (where p.positive_anywhere) as positive_anywhere,
       count(*) filter (where p.emailed_after_positive) as emailed_after_positive,
       (select count(*) from {{ ref('enrollments') }}) as enrollments,
       (select count(distinct vendor) from {{ ref('enrollments') }}) as tools
from {{ ref('people') }} p
