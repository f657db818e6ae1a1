{#- Per campaign step and variant, the vendor's own step analytics (no rows until they are
    loaded). -#}
{{ report_view('instantly', 'step_variant_funnel') }}
{%- set number = 'bigint' %}
{%- set campaign_columns = [('id', 'varchar'), ('name', 'varchar'), ('status_label', 'varchar')] %}
{% call(ws) for_each_workspace('instantly') %}
select {{ workspace_name(ws) }} as workspace, a.campaign_id, c.name as campaign, a.step,
       a.variant, s.subject, a.sent, a.unique_opened, a.unique_replies,
       a.unique_replies_automatic, a.unique_clicks,
       round(100.0 * a.unique_replies / nullif(a.sent, 0), 1) as reply_rate_pct
from {{ vendor_table('instantly', 'campaign_analytics_steps', ws,
                     [('campaign_id', 'varchar'), ('step', number), ('variant', number),
                      ('sent', number), ('unique_opened', number), ('unique_replies', number),
                      ('unique_replies_automatic', number), ('unique_clicks', number)]) }} a
left join {{ vendor_table('instantly', 'campaigns', ws, campaign_columns) }} c on c.id = a.campaign_id
left join {{ vendor_table('instantly', 'campaign_steps', ws,
                          [('campaign_id', 'varchar'), ('step', number), ('variant', number),
                           ('subject', 'varchar')]) }} s
  on s.campaign_id = a.campaign_id and s.step = a.step and s.variant = a.variant
{% endcall %}
