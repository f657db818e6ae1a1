{#- Each sequence's metrics of the last day loaded (the vendor's own counts, replies and
    conversions among them). -#}
{{ report_view('sequenzy', 'sequence_metrics_latest') }}
{% call(ws) for_each_workspace('sequenzy') %}
{%- set metrics = vendor_table('sequenzy', 'sequence_metrics', ws,
        [('sequence_id', 'varchar'), ('date', 'date'), ('replies', 'bigint'),
         ('conversions', 'bigint'), ('revenue_cents', 'bigint')]) %}
select {{ workspace_name(ws) }} as workspace,
       {{ workspace_columns('sequenzy', 'sequence_metrics', ws, 'm') }}
from {{ metrics }} m
where m.date = (select max(l.date) from {{ metrics }} l where l.sequence_id = m.sequence_id)
{% endcall %}
