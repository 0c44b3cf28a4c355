from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.demo import load_demo_referrals
from resursrad.demo import DEMO_PASSWORD, USERS, load_demo_data
from resursrad.models import User


class Command(BaseCommand):
    help = "Create the demo förbund's organisations and a user in every role (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is only loaded in development (DEBUG=true).")
        created = load_demo_data()
        case_worker = User.objects.get(email=USERS[0].email)
        coordinator = User.objects.get(email="samordnare@demo.resursrad.se")
        created += load_demo_referrals(case_worker, coordinator)
        self.stdout.write(f"Demo data: {created} rows created.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for demo in USERS:
            self.stdout.write(f"  {demo.role_label:<34} {demo.email}")
