{#- Sequenzy's replies per enrollment, from its inbox. The event stream has no reply event; a
    reply is a conversation (`conversations`) whose context is `{type: sequence, label: <the
    sequence's name>}`: the API names the sequence, not its id. A reply is tied to a sequence
    only when exactly one sequence (deleted ones included) has that name, then to the
    subscriber's enrollment there that started last before it (stg_sequenzy__runs). Replies to
    a sequence whose name another shares stay untied: that sequence's replied is unknown.
    Replies its webhooks delivered (`email.replied` in `webhook_events`, from `sequence-funnel
    listen`) name the sequence's id and the subscriber: tied the same way, in any sequence. -#}
{% call(ws) for_each_workspace('sequenzy') %}
with named as (
    select name, min(id) as sequence_id, count(*) as sharing
    from {{ vendor_table('sequenzy', 'sequences', ws,
                         [('id', 'varchar'), ('name', 'varchar')]) }} s
    group by name
), replies as (
    select n.sequence_id, c.subscriber_id, c.created_at
    from {{ vendor_table('sequenzy', 'conversations', ws,
                         [('subscriber_id', 'varchar'), ('context_type', 'varchar'),
                          ('context_label', 'varchar'),
                          ('created_at', 'timestamp with time zone')]) }} c
    join named n on n.name = c.context_label and n.sharing = 1
    where c.context_type = 'sequence'
    union all
    select h.sequence_id, h.subscriber_id, h.occurred_at as created_at
    from {{ vendor_table('sequenzy', 'webhook_events', ws,
                         [('event_type', 'varchar'), ('sequence_id', 'varchar'),
                          ('subscriber_id', 'varchar'),
                          ('occurred_at', 'timestamp with time zone')]) }} h
    where h.event_type = 'email.replied' and h.sequence_id is not null
      and h.subscriber_id is not null
)
select {{ workspace_name(ws) }} as workspace, r.id as enrollment_id,
       min(x.created_at) as first_replied_at
from replies x
join {{ ref('stg_sequenzy__runs') }} r
  on r.workspace = {{ workspace_name(ws) }}
 and r.sequence_id = x.sequence_id and r.subscriber_id = x.subscriber_id
 and r.enrollment_started_at <= x.created_at
 and (r.next_started_at is null or x.created_at < r.next_started_at)
group by r.id
{% endcall %}
