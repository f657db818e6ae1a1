{#- Each sequence's metrics of the last day loaded (the vendor's own counts, replies and
    conversions among them). -#}
{{ report_view('sequenzy', 'sequence_metrics_latest') }}
{%- set metrics = vendor_table('sequenzy', 'sequence_metrics',
        [('sequence_id', 'varchar'), ('date', 'date'), ('replies', 'bigint'),
         ('conversions', 'bigint'), ('revenue_cents', 'bigint')]) %}
select m.* from {{ metrics }} m
where m.date = (select max(l.date) from {{ metrics }} l where l.sequence_id = m.sequence_id)
