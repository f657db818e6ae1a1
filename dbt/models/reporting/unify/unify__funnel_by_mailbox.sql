{#- The funnel by the mailbox of each person's latest enrollment in a sequence. -#}
{{ report_view('unify', 'funnel_by_mailbox') }}
{% call(ws) for_each_workspace('unify') %}
select f.workspace, f.mailbox_id, m.email as mailbox, {{ funnel_measures() }}
from {{ ref('unify__funnel_person_sequence') }} f
left join {{ vendor_table('unify', 'mailboxes', ws,
                          [('id', 'varchar'), ('email', 'varchar')]) }} m
  on m.id = f.mailbox_id
where f.workspace = {{ workspace_name(ws) }}
group by f.workspace, f.mailbox_id, m.email
{% endcall %}
