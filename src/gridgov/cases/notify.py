"""Channel adapters for the outbox: SMS, e-mail and chat groups behind one small
interface (``sweep.Channel``). Without configuration the recording channel keeps what
would have been sent, which is what tests and the demo use."""

from __future__ import annotations

import logging

from gridgov.cases.models import OutboxMessage
from gridgov.cases.sweep import Channel, RecordingChannel
from gridgov.config import Settings

log = logging.getLogger("gridgov.notify")


class LogChannel:
    """Writes each message to the log: a placeholder an office replaces with its SMS
    gateway or chat bridge adapter."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, message: OutboxMessage) -> None:
        log.info(
            "notification",
            extra={
                "fields": {
                    "channel": self.name,
                    "recipient": message.recipient,
                    "subject": message.subject,
                }
            },
        )


_recording = RecordingChannel()


def channels(settings: Settings) -> dict[str, Channel]:
    if settings.notify_mode == "record":
        return {"sms": _recording, "chat": _recording, "email": _recording}
    return {"sms": LogChannel("sms"), "chat": LogChannel("chat"), "email": LogChannel("email")}
