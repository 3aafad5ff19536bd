"""AI camera and drone alerts (智能感知): signed per device, checked for replay, stored as events.

The ``Device`` model lives in ``zhifa.integrations.models`` (one models module per Django app).
"""
