"""Payments reported by the bank or the e-payment platform (罚缴分离, APL 67): never by an officer.

Two ways in, one service (``zhifa.cases.services.record_payment``, acting as the channel's ``SystemActor``):
a signed callback ``POST /api/v1/integrations/payments`` (HMAC-SHA256 with the channel's shared secret over the
timestamp and the exact body, a replay window on the timestamp, as the AI alerts' devices sign), and the
channel's statement imported with ``manage.py import_payments <file.csv>``. A payment is known by its channel
and reference (流水号): the same reference reported again — a retry, a replayed request, a statement line
already called back — is answered as the same payment, never recorded twice.

Its own Django app (label ``payments``) so that its models and migrations stand apart from the devices'.
"""
