{#- The targets of the built-in guard `stop-after-answer` (guards/stop-after-answer.yml): every
    enrollment still active, in a sequence of any tool, of a person who replied positively,
    unsubscribed or bounced in another sequence (of any tool) of the same workspace. Other
    sequences of the same tool count too: a tool's own stop on reply stops the sequence replied
    in, not the person's others (Instantly's `stop_on_reply` is a campaign's setting). One row
    per target, named by one answer: positive before unsubscribed before bounced, then the
    earliest sequence. A person the tool knows without an email is one of its people all the
    same (their key is the tool's id): they are stopped in the tool's other sequences. -#}
with answered as (
    select workspace, person_key, sequence_key, first_replied_at,
           case when positive then 'positive' when unsubscribed then 'unsubscribed'
                else 'bounced' end as answer
    from {{ ref('enrollments') }}
    where positive or unsubscribed or bounced
), named as (
    select t.vendor, t.workspace, t.enrollment_key, t.vendor_enrollment_id, t.sequence_key,
           t.vendor_sequence_id, t.person_key, a.answer, a.sequence_key as answered_in,
           row_number() over (
               partition by t.enrollment_key
               order by case a.answer when 'positive' then 1 when 'unsubscribed' then 2 else 3 end,
                        a.sequence_key
           ) as pick
    from {{ ref('enrollments') }} t
    join answered a
        on a.workspace = t.workspace and a.person_key = t.person_key
        and a.sequence_key <> t.sequence_key
    where t.state = 'active'
)
select vendor, workspace, enrollment_key, vendor_enrollment_id, sequence_key, vendor_sequence_id,
       person_key, answer, answered_in
from named
where pick = 1
