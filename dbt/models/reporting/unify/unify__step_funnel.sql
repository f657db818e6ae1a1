{#- Per sequence step: executed, sent, opened, clicked and replied, from enrollment steps (no rows
    when they are not loaded: --no-enrollment-steps). -#}
{{ report_view('unify', 'step_funnel') }}
{% call(ws) for_each_workspace('unify') %}
select {{ workspace_name(ws) }} as workspace, st.sequence_id, s.name as sequence,
       st.step_number, st.type as step_type,
       count(*) filter (where st.status = 'FINISHED') as executed,
       count(*) filter (where st.sent_at is not null) as sent,
       count(*) filter (where st.opens > 0) as opened,
       count(*) filter (where st.clicks > 0) as clicked,
       count(*) filter (where st.reply_email_message_id is not null) as replied
from {{ vendor_table('unify', 'enrollment_steps', ws,
                     [('sequence_id', 'varchar'), ('step_number', 'bigint'), ('type', 'varchar'),
                      ('status', 'varchar'), ('sent_at', 'timestamp with time zone'),
                      ('opens', 'bigint'), ('clicks', 'bigint'),
                      ('reply_email_message_id', 'varchar')]) }} st
left join {{ vendor_table('unify', 'sequences', ws,
                          [('id', 'varchar'), ('name', 'varchar')]) }} s
  on s.id = st.sequence_id
where st.step_number is not null
group by st.sequence_id, s.name, st.step_number, st.type
{% endcall %}
