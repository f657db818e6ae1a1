{#- Leads less those deleted since they were loaded (lead_deletions); every Instantly report view
    reads these. -#}
{{ report_view('instantly', 'leads_current') }}
{% call(ws) for_each_workspace('instantly', base='leads') %}
select {{ workspace_name(ws) }} as workspace, {{ workspace_columns('instantly', 'leads', ws, 'l') }}
from {{ vendor_source('instantly', 'leads', ws) }} l
where not exists (
    select 1 from {{ vendor_table('instantly', 'lead_deletions', ws, [('id', 'varchar')]) }} d
    where d.id = l.id
)
{% endcall %}
