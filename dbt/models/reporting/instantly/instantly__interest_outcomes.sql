{{ report_view('instantly', 'interest_outcomes') }}
select l.campaign as campaign_id, c.name as campaign,
       coalesce(l.lt_interest_status_label, 'none') as interest, count(*) as leads
from {{ ref('instantly__leads_current') }} l
left join {{ vendor_source('instantly', 'campaigns') }} c on c.id = l.campaign
where l.campaign is not null
group by l.campaign, c.name, coalesce(l.lt_interest_status_label, 'none')
