"""Outbound message channels (zhifa.core.messaging names them; ``ZHIFA_MESSAGING_CHANNEL`` picks one):
``log_channel.LoggingChannel`` (the default) and ``http_channel.HttpChannel`` (JSON to a gateway URL). A
deployment with another gateway writes a class with the same ``send(recipient, message)`` and names its
dotted path in the setting."""
