from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = "Partnership structure"

    def ready(self) -> None:
        # Remembers a person's partnerships at sign-in, for the navigation.
        from partnership import context, sessions  # noqa: F401
