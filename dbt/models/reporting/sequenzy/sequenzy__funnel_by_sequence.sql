{#- The funnel by sequence, as funnel.funnel_by_sequence counts it for Sequenzy, with the people
    delivered to and who clicked, and beside them the vendor's own counts of replies and
    conversions: messages, not people (null until its metrics are read). -#}
{{ report_view('sequenzy', 'funnel_by_sequence') }}
{% call(ws) for_each_workspace('sequenzy') %}
select f.workspace, f.sequence_id, s.name as sequence, s.effective_status,
       {{ funnel_measures() }},
       count(*) filter (where f.delivered) as delivered,
       count(*) filter (where f.clicked) as clicked,
       max(m.replies) as replies, max(m.conversions) as conversions,
       max(m.revenue_cents) as revenue_cents, max(m.date) as metrics_date
from {{ ref('sequenzy__funnel_person_sequence') }} f
left join {{ vendor_table('sequenzy', 'sequences', ws,
                          [('id', 'varchar'), ('name', 'varchar'),
                           ('effective_status', 'varchar')]) }} s
  on s.id = f.sequence_id
left join {{ ref('sequenzy__sequence_metrics_latest') }} m
  on m.workspace = f.workspace and m.sequence_id = f.sequence_id
where f.workspace = {{ workspace_name(ws) }}
group by f.workspace, f.sequence_id, s.name, s.effective_status
{% endcall %}
