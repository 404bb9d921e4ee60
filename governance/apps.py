from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        # "Your tasks" belongs to membership, which may not import governance: our tasks are
        # added to it here.
        from governance.tasklist import governance_tasks
        from partnership.tasklist import register_task_source

        register_task_source(governance_tasks)

        # How often a body meets: the body page (membership's) warns its managers.
        from governance.selectors.frequency import shortfall_panel
        from partnership.panels import register_body_panel

        register_body_panel(shortfall_panel)
