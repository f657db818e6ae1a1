{#- The funnel by the mailbox of each person's latest enrollment in a sequence. -#}
{{ report_view('unify', 'funnel_by_mailbox') }}
select f.mailbox_id, m.email as mailbox, {{ funnel_measures() }}
from {{ ref('unify__funnel_person_sequence') }} f
left join {{ vendor_table('unify', 'mailboxes', [('id', 'varchar'), ('email', 'varchar')]) }} m
  on m.id = f.mailbox_id
group by f.mailbox_id, m.email
