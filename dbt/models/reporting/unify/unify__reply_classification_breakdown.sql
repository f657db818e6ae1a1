{{ report_view('unify', 'reply_classification_breakdown') }}
select e.sequence_id, c.category, count(*) as replies
from {{ vendor_table('unify', 'reply_email_classifications',
                     [('reply_email_message_id', 'varchar'), ('category', 'varchar')]) }} c
join {{ vendor_table('unify', 'reply_email_messages',
                     [('id', 'varchar'), ('enrollment_id', 'varchar')]) }} r
  on r.id = c.reply_email_message_id
join {{ vendor_source('unify', 'enrollments') }} e on e.id = r.enrollment_id
group by e.sequence_id, c.category
