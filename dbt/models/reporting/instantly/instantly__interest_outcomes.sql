{{ report_view('instantly', 'interest_outcomes') }}
{%- set campaign_columns = [('id', 'varchar'), ('name', 'varchar'), ('status_label', 'varchar')] %}
{% call(ws) for_each_workspace('instantly') %}
select l.workspace, l.campaign as campaign_id, c.name as campaign,
       coalesce(l.lt_interest_status_label, 'none') as interest, count(*) as leads
from {{ ref('instantly__leads_current') }} l
left join {{ vendor_table('instantly', 'campaigns', ws, campaign_columns) }} c on c.id = l.campaign
where l.workspace = {{ workspace_name(ws) }} and l.campaign is not null
group by l.workspace, l.campaign, c.name, coalesce(l.lt_interest_status_label, 'none')
{% endcall %}
