from django.core.management.base import BaseCommand, CommandError

from membership.rights import rights_sync_all


class Command(BaseCommand):
    help = (
        "Re-derive every object permission from memberships and appointments, and report each "
        "difference between what was held and what should be."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report differences; change nothing and exit 1 if any were found.",
        )

    def handle(self, *args, check: bool = False, **options):
        diffs = rights_sync_all(dry_run=check)
        for diff in diffs:
            for grant in sorted(diff.added):
                verb = "missing" if check else "added"
                self.stdout.write(
                    f"{verb}: {diff.user.email} {grant.perm} on {grant.model} {grant.pk}"
                )
            for grant in sorted(diff.removed):
                verb = "unexpected" if check else "removed"
                self.stdout.write(
                    f"{verb}: {diff.user.email} {grant.perm} on {grant.model} {grant.pk}"
                )
        if not diffs:
            self.stdout.write(self.style.SUCCESS("Every permission matches the memberships."))
        elif check:
            raise CommandError(
                f"{len(diffs)} people hold permissions that differ from their memberships."
            )
        else:
            self.stdout.write(
                self.style.WARNING(f"Corrected the permissions of {len(diffs)} people.")
            )
