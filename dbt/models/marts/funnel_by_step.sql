{#- Per email step of each sequence, from the touches: sends, and the people a step sent to,
    whose email there they opened or clicked, who replied to it, bounced or unsubscribed. -#}
select t.vendor, t.sequence_key, s.name as sequence, t.step,
       count(*) filter (where t.touch_type = 'send') as sends,
       count(distinct case when t.touch_type = 'send' then t.person_key end) as people_sent,
       count(distinct case when t.touch_type = 'open' then t.person_key end) as people_opened,
       count(distinct case when t.touch_type = 'click' then t.person_key end) as people_clicked,
       count(distinct case when t.touch_type = 'reply' then t.person_key end) as people_replied,
       count(distinct case when t.touch_type = 'bounce' then t.person_key end) as people_bounced,
       count(distinct case when t.touch_type = 'unsubscribe' then t.person_key end)
           as people_unsubscribed
from {{ ref('touches') }} t
left join {{ ref('sequences') }} s on s.sequence_key = t.sequence_key
where t.step is not null
group by t.vendor, t.sequence_key, s.name, t.step
