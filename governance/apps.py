from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        # What this app puts in the search index (partnership/search/).
        from governance.search import register_indexers

        register_indexers()

        # What the public's alerts and Atom feeds say of agendas and minutes.
        from governance.alerts import register_alert_sources

        register_alert_sources()

        # "Your tasks" belongs to membership, which may not import governance: our tasks are
        # added to it here.
        from governance.tasklist import governance_tasks
        from partnership.tasklist import register_task_source

        register_task_source(governance_tasks)

        # How often a body meets: the body page (membership's) warns its managers.
        from governance.selectors.frequency import shortfall_panel
        from partnership.panels import register_body_panel

        register_body_panel(shortfall_panel)

        # New sub-groups that need the body's agreement: proposals awaiting it, on its page.
        from governance.views.proposals import proposals_panel

        register_body_panel(proposals_panel)

        # What a restructure carries over from a body: its coming meetings, its open actions.
        from governance.restructure import register_carriers

        register_carriers()

        # The annual membership review (membership's) reads each member's attendance here.
        from governance.member_record import attendance_figures
        from partnership.member_record import register_member_record

        register_member_record(attendance_figures)
