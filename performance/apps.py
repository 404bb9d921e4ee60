from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        # The account page belongs to membership, which may not import performance: the
        # "Your returns" panel is added to it here instead.
        from partnership.panels import register_account_panel
        from performance.views.return_lists import returns_account_panel

        register_account_panel(returns_account_panel)
