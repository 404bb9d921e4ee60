from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = "Membership"

    def ready(self) -> None:
        # "Your tasks" gathers each app's tasks through a registry in partnership/.
        from membership.tasklist import membership_tasks
        from partnership.tasklist import register_task_source

        register_task_source(membership_tasks)
