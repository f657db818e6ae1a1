{#- Per sending account, from the emails (ue_type 1 and 3 sent, 2 received; no rows until emails
    are loaded). -#}
{{ report_view('instantly', 'funnel_by_account') }}
{% call(ws) for_each_workspace('instantly') %}
select {{ workspace_name(ws) }} as workspace, e.eaccount as account,
       count(*) filter (where e.ue_type in (1, 3)) as sent,
       count(distinct e.lead_id) filter (where e.ue_type in (1, 3)) as leads_contacted,
       count(*) filter (where e.ue_type = 2 and not coalesce(e.is_auto_reply, false)) as replies,
       count(*) filter (where e.ue_type = 2 and e.is_auto_reply) as automatic_replies,
       count(distinct e.lead_id) filter (where e.ue_type = 2
                                         and not coalesce(e.is_auto_reply, false)) as leads_replied
from {{ vendor_table('instantly', 'emails', ws,
                     [('eaccount', 'varchar'), ('ue_type', 'bigint'), ('lead_id', 'varchar'),
                      ('is_auto_reply', 'boolean')]) }} e
group by e.eaccount
{% endcall %}
