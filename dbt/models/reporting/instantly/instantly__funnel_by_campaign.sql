{#- The funnel by campaign, as funnel.funnel_by_sequence counts it for Instantly. -#}
{{ report_view('instantly', 'funnel_by_campaign') }}
{%- set campaign_columns = [('id', 'varchar'), ('name', 'varchar'), ('status_label', 'varchar')] %}
{% call(ws) for_each_workspace('instantly') %}
select f.workspace, f.campaign_id, c.name as campaign, c.status_label as campaign_status,
       {{ funnel_measures() }}
from {{ ref('instantly__funnel_person_campaign') }} f
left join {{ vendor_table('instantly', 'campaigns', ws, campaign_columns) }} c on c.id = f.campaign_id
where f.workspace = {{ workspace_name(ws) }}
group by f.workspace, f.campaign_id, c.name, c.status_label
{% endcall %}
