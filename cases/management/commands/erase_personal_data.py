from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.services import erase_due_personal_data


class Command(BaseCommand):
    help = "Erase the personal data of closed, declined and consent-ended cases past their erasure day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; erase nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = erase_due_personal_data(dry_run=options["dry_run"])
        total = sum(counts.values())
        verb = "due for erasure" if options["dry_run"] else "erased"
        details = ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items())) or "none"
        self.stdout.write(f"{total} case(s) {verb} ({details}).")
