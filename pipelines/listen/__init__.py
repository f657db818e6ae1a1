"""`sequence-funnel listen`: Instantly's and Sequenzy's webhooks received, checked, stored on
disk before they are acknowledged, each event once (docs/listen.md).

- pipelines.listen.signatures: whether a delivery is the vendor's (pure);
- pipelines.listen.events: what names an event, per vendor (pure);
- pipelines.listen.intake: the durable, deduplicating store (SQLite, group commit);
- pipelines.listen.app: the ASGI app; pipelines.listen.command: the command.
"""
