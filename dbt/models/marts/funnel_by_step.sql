{#- Per email step of each sequence, from the touches: sends, and the people a step sent to,
    whose email there they opened or clicked, who replied to it, bounced or unsubscribed; null
    where the tool does not say it of a step (funnel_measures.sql, step_touches). -#}
select t.vendor, t.workspace, t.sequence_key, s.name as sequence, t.step,
       count(*) filter (where t.touch_type = 'send') as sends,
       {{ people_at_step('send') }} as people_sent,
       {{ people_at_step('open') }} as people_opened,
       {{ people_at_step('click') }} as people_clicked,
       {{ people_at_step('reply') }} as people_replied,
       {{ people_at_step('bounce') }} as people_bounced,
       {{ people_at_step('unsubscribe') }} as people_unsubscribed
from {{ ref('touches') }} t
left join {{ ref('sequences') }} s on s.sequence_key = t.sequence_key
where t.step is not null
group by t.vendor, t.workspace, t.sequence_key, s.name, t.step
