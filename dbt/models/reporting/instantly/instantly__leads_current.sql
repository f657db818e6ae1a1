{#- Leads less those deleted since they were loaded (lead_deletions); every Instantly report view
    reads these. -#}
{{ report_view('instantly', 'leads_current') }}
select l.* from {{ vendor_source('instantly', 'leads') }} l
where not exists (
    select 1 from {{ vendor_table('instantly', 'lead_deletions', [('id', 'varchar')]) }} d
    where d.id = l.id
)
