{{ heavy_mart() }}
{#- One row per person (lower-cased email) across every tool, in a workspace (one client of an
    agency: workspaces of the same name in several tools are one; docs/workspaces.md): the tools that enrolled them and
    the tools that reached them (sent them an email). Emailed after positive: a positive
    reply in one sequence while an enrollment in another sequence, in any tool, is still active. -#}
with e as (
    select * from {{ ref('enrollments') }}
), tools as (
    select person_key, string_agg(vendor, ',' order by vendor) as vendors, count(*) as tools,
           count(*) filter (where reached) as tools_reached
    from (select person_key, vendor, bool_or(reached) as reached from e group by 1, 2) v
    group by person_key
), still_emailed as (
    select distinct p.person_key
    from e p
    join e other on other.person_key = p.person_key and other.sequence_key <> p.sequence_key
    where p.positive and other.state = 'active'
)
select e.workspace, e.person_key, t.vendors, t.tools, t.tools_reached, count(distinct e.sequence_key) as sequences,
       count(*) as enrollments, min(e.enrolled_at) as first_enrolled_at,
       min(e.first_sent_at) as first_reached_at, bool_or(e.reached) as reached,
       bool_or(e.replied) as replied_anywhere, bool_or(e.positive) as positive_anywhere,
       max(case when s.person_key is not null then 1 else 0 end) = 1 as emailed_after_positive
from e
join tools t on t.person_key = e.person_key
left join still_emailed s on s.person_key = e.person_key
group by e.workspace, e.person_key, t.vendors, t.tools, t.tools_reached
