{#- One row per person in a Unify sequence: the counting rule of every Unify report view (README,
    "Funnel reporting"). Sequence version upgrades cancel an enrollment and create a new one for
    the same person; events (started, replied, bounced, ...) count if any of the person's
    enrollments in the sequence had them, states (canceled, finished) are those of the person's
    latest enrollment there. -#}
{{ report_view('unify', 'funnel_person_sequence') }}
with ranked as (
    select e.*, row_number() over (
        partition by e.sequence_id, e.person_id
        order by coalesce(e.created_at, e.started_at, e.updated_at) desc, e.id desc
    ) as recency
    from {{ vendor_source('unify', 'enrollments') }} e
), positive as (
    select distinct reply_email_message_id
    from {{ vendor_table('unify', 'reply_email_classifications',
                         [('reply_email_message_id', 'varchar'), ('category', 'varchar')]) }} c
    where category = 'POSITIVE'
)
select r.sequence_id, r.person_id,
       max(case when r.recency = 1 then r.mailbox_id end) as mailbox_id,
       min(coalesce(r.created_at, r.started_at)) as first_enrolled_at,
       max(case when r.started_at is not null then 1 else 0 end) as started,
       max(case when r.is_replied then 1 else 0 end) as replied,
       max(case when p.reply_email_message_id is not null then 1 else 0 end) as positive,
       max(case when r.is_bounced then 1 else 0 end) as bounced,
       max(case when r.is_opted_out then 1 else 0 end) as opted_out,
       max(case when r.recency = 1 and r.is_canceled then 1 else 0 end) as canceled,
       max(case when r.recency = 1 and r.status = 'FINISHED' then 1 else 0 end) as finished,
       count(*) as enrollments
from ranked r
left join positive p on p.reply_email_message_id = r.reply_email_message_id
group by r.sequence_id, r.person_id
