"""What a rule's SQS target receives locally, made what AWS sends (beside ``moto_adapters``, whose
patches it shares, so that ``restore_all`` undoes it too).

A rule without an input transformer sends the whole event to its queue, ``account`` included; moto
builds that message from a default template that leaves ``account`` out, so a consumer that
validates the event as EventBridge defines it (the audit writer, reading its queue) refused every
record locally.
"""

from __future__ import annotations

from infra.local import moto_adapters

WITHOUT_ACCOUNT = '"version": "0", "detail-type"'
WITH_ACCOUNT = '"version": "0", "account": "<account>", "detail-type"'


def send_whole_events_to_queues() -> None:
    from moto.events.utils import EventTemplateParser

    template = EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    if '"account"' in template:  # moto sends it (or this cloud already made it so)
        return
    if WITHOUT_ACCOUNT not in template:
        raise RuntimeError(
            "moto's default event template changed: the local cloud's adaptation needs updating"
        )
    moto_adapters._patch(
        EventTemplateParser, "DEFAULT_EVENT_INPUT_TEMPLATE", template.replace(WITHOUT_ACCOUNT, WITH_ACCOUNT)
    )
