{#- Each Sequenzy enrollment token with when the subscriber's next one in the same sequence
    started: the span in which something that names a subscriber and a sequence (an event, a
    reply) belongs to it. A contact is in a sequence once at a time. -#}
{% call(ws) for_each_workspace('sequenzy') %}
select {{ workspace_name(ws) }} as workspace, id, sequence_id, subscriber_id,
       enrollment_started_at,
       lead(enrollment_started_at) over (partition by sequence_id, subscriber_id
                                         order by enrollment_started_at, id) as next_started_at
from {{ vendor_table('sequenzy', 'enrollments', ws,
                     [('id', 'varchar'), ('sequence_id', 'varchar'), ('subscriber_id', 'varchar'),
                      ('enrollment_started_at', 'timestamp with time zone')]) }} e
{% endcall %}
