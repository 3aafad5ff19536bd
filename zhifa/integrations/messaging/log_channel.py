"""The default channel: a line in the log ("zhifa.messaging") per message, nothing leaves the server. Enough
for a pilot without a gateway, and what the log of a deployment with one can be compared against."""

import logging

from zhifa.core.messaging import Message, Recipient

logger = logging.getLogger("zhifa.messaging")


class LoggingChannel:
    def send(self, recipient: Recipient, message: Message) -> None:
        # The user's account and the event number; no phone number in the log.
        logger.info(
            "消息 %s → %s(%s)：%s %s",
            message.message_id,
            recipient.name,
            recipient.username,
            message.title,
            message.url,
        )
