{#- One row per Instantly lead in a campaign (a lead is a person in one campaign), less the
    leads deleted since they were loaded. Replied and positive come from the lead's counters and
    interest status (Interested, Meeting Booked, Meeting Completed, Won), so they hold however far
    the emails backfill has got; the first send and reply times come from the emails. Instantly
    gives no time of an open. A lead without an email (the vendor's `Lead.email` is nullable)
    is a person of its own, keyed by its lead id, which matches no other tool's person. An
    active lead whose email or email's domain is on the workspace's block list is held: Instantly
    sends it nothing more (vendor status `1 blocked`, paused in the status map). What its
    webhooks told of a lead after the lead's last polled change (`webhook_events`, from
    `sequence-funnel listen`) adds a reply, a positive interest, a bounce or an unsubscribe the
    polled row cannot show yet; it never takes one away. -#}
{% call(ws) for_each_workspace('instantly') %}
{% if vendor_loaded('instantly', 'leads', ws) %}
{% set emails = vendor_table('instantly', 'emails', ws,
                             [('lead_id', 'varchar'), ('ue_type', 'bigint'),
                              ('timestamp_email', 'timestamp with time zone')]) %}
{% set blocked = vendor_table('instantly', 'block_list_entries', ws,
                              [('bl_value', 'varchar')]) %}
{% set hooks = vendor_table('instantly', 'webhook_events', ws,
                            [('event_type', 'varchar'), ('email', 'varchar'),
                             ('sequence_id', 'varchar'),
                             ('occurred_at', 'timestamp with time zone')]) %}
with heard as (
    select l.id as lead_id,
           min(case when h.event_type = 'reply_received' then h.occurred_at end) as replied_at,
           max(case when h.event_type in ('lead_interested', 'lead_meeting_booked',
                                          'lead_meeting_completed', 'lead_closed')
                    then 1 else 0 end) as positive,
           max(case when h.event_type = 'email_bounced' then 1 else 0 end) as bounced,
           max(case when h.event_type = 'lead_unsubscribed' then 1 else 0 end) as unsubscribed
    from {{ vendor_relation('instantly', 'leads', ws) }} l
    join {{ hooks }} h on h.sequence_id = l.campaign and h.email = lower(trim(l.email))
    where h.occurred_at > l.timestamp_updated
    group by l.id
), sends as (
    select lead_id, min(timestamp_email) as first_sent_at
    from {{ emails }} m where ue_type = 1 group by lead_id
), replies as (
    select lead_id, min(timestamp_email) as first_replied_at
    from {{ emails }} m where ue_type = 2 group by lead_id
)
select 'instantly' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('instantly', ws, 'l.id') }} as enrollment_key, l.id as vendor_enrollment_id,
       {{ vendor_key('instantly', ws, 'l.campaign') }} as sequence_key,
       l.campaign as vendor_sequence_id,
       {{ person_key(ws, "coalesce(lower(nullif(trim(l.email), '')), 'instantly-lead:' || l.id)") }}
           as person_key,
       l.timestamp_created as enrolled_at,
       case when l.status = 1 and exists (
                select 1 from {{ blocked }} b
                where lower(b.bl_value) in (lower(trim(l.email)),
                                            split_part(lower(trim(l.email)), '@', 2))
            ) then '1 blocked' else cast(l.status as varchar) end as vendor_status,
       (l.timestamp_last_contact is not null or s.first_sent_at is not null) as reached,
       coalesce(l.email_open_count, 0) > 0 as opened,
       s.first_sent_at, cast(null as timestamp with time zone) as first_opened_at,
       coalesce(r.first_replied_at, hd.replied_at) as first_replied_at,
       coalesce(l.email_reply_count, 0) > 0 or hd.replied_at is not null as replied,
       coalesce(l.lt_interest_status in (1, 2, 3, 4) or hd.positive = 1, false) as positive,
       coalesce(l.status = -1 or hd.bounced = 1, false) as bounced,
       coalesce(l.status = -2 or hd.unsubscribed = 1, false) as unsubscribed
from {{ vendor_relation('instantly', 'leads', ws) }} l
left join sends s on s.lead_id = l.id
left join replies r on r.lead_id = l.id
left join heard hd on hd.lead_id = l.id
where l.campaign is not null
  and not exists (
      select 1 from {{ vendor_table('instantly', 'lead_deletions', ws, [('id', 'varchar')]) }} d
      where d.id = l.id
  )
{% else %}
{{ no_rows(common_columns('enrollments')) }}
{% endif %}
{% endcall %}
