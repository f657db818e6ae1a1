"""`sequence-funnel listen`: Instantly's and Sequenzy's webhooks received, checked, stored on
disk before they are acknowledged, each event once (docs/listen.md).

- sources/<vendor>/webhooks.py: whether a delivery is the vendor's, what names its event, how
  its webhook is registered (`VendorSpec.webhooks`);
- pipelines.listen.intake: the durable, deduplicating store (SQLite, group commit);
- pipelines.listen.app: the ASGI app; pipelines.listen.command: the command.
"""
