{{ report_view('unify', 'reply_classification_breakdown') }}
{% call(ws) for_each_workspace('unify') %}
select {{ workspace_name(ws) }} as workspace, e.sequence_id, c.category, count(*) as replies
from {{ vendor_table('unify', 'reply_email_classifications', ws,
                     [('reply_email_message_id', 'varchar'), ('category', 'varchar')]) }} c
join {{ vendor_table('unify', 'reply_email_messages', ws,
                     [('id', 'varchar'), ('enrollment_id', 'varchar')]) }} r
  on r.id = c.reply_email_message_id
join {{ vendor_table('unify', 'enrollments', ws,
                     [('id', 'varchar'), ('sequence_id', 'varchar')]) }} e
  on e.id = r.enrollment_id
group by e.sequence_id, c.category
{% endcall %}
