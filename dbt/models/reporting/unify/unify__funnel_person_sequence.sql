{#- One row per person in a Unify sequence: the tool's rows of funnel_person_sequence, where the
    counting rule and the status map are applied once for every view (docs/funnel.md), with the
    mailbox of the person's latest enrollment there. -#}
{{ report_view('unify', 'funnel_person_sequence') }}
{% call(ws) for_each_workspace('unify') %}
select f.*, f.vendor_sequence_id as sequence_id, e.mailbox_id
from {{ ref('funnel_person_sequence') }} f
left join {{ vendor_table('unify', 'enrollments', ws,
                          [('id', 'varchar'), ('mailbox_id', 'varchar')]) }} e
  on f.latest_enrollment_key = {{ vendor_key('unify', ws, 'e.id') }}
where f.vendor = 'unify' and f.workspace = {{ workspace_name(ws) }}
{% endcall %}
