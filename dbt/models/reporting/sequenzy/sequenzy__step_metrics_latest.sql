{#- Each email step's metrics of the last day loaded. -#}
{{ report_view('sequenzy', 'step_metrics_latest') }}
{% call(ws) for_each_workspace('sequenzy') %}
{%- set metrics = vendor_table('sequenzy', 'sequence_step_metrics', ws,
        [('sequence_id', 'varchar'), ('node_id', 'varchar'), ('date', 'date'),
         ('replies', 'bigint'), ('conversions', 'bigint')]) %}
select {{ workspace_name(ws) }} as workspace,
       {{ workspace_columns('sequenzy', 'sequence_step_metrics', ws, 'm') }}
from {{ metrics }} m
where m.date = (select max(l.date) from {{ metrics }} l
                where l.sequence_id = m.sequence_id and l.node_id = m.node_id)
{% endcall %}
