from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "zhifa.integrations.payments"
    label = "payments"
    verbose_name = "缴款渠道对接"
