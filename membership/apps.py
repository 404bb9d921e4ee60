from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = "Membership"

    def ready(self) -> None:
        # What this app puts in the search index (partnership/search/).
        from membership.search import register_indexers

        register_indexers()

        # "Your tasks" gathers each app's tasks through a registry in partnership/.
        from membership.tasklist import membership_tasks
        from partnership.tasklist import register_task_source

        register_task_source(membership_tasks)

        # The annual membership review: a link on the body page for those who see reviews.
        from membership.views.reviews import review_panel
        from partnership.panels import register_body_panel

        register_body_panel(review_panel)

        # What a restructure carries over from a body: its elections, its sub-bodies.
        from membership.restructure_carriers import register_carriers

        register_carriers()
