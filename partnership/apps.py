from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = "Partnership structure"

    def ready(self) -> None:
        # Remembers a person's partnerships at sign-in, for the navigation; and the deploy
        # checks of this project's own settings (partnership/checks.py).
        from partnership import checks, context, sessions  # noqa: F401

        # What this app puts in the search index: its news (partnership/search/kernel.py).
        from partnership.search.kernel import register_indexers

        register_indexers()
