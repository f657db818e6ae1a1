{#- The funnel by campaign, as funnel.funnel_by_sequence counts it for Instantly. -#}
{{ report_view('instantly', 'funnel_by_campaign') }}
select f.campaign_id, c.name as campaign, c.status_label as campaign_status,
       {{ funnel_measures() }}
from {{ ref('instantly__funnel_person_campaign') }} f
left join {{ vendor_source('instantly', 'campaigns') }} c on c.id = f.campaign_id
group by f.campaign_id, c.name, c.status_label
