from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from resursrad.demo import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Load each app's demo data, in the order of INSTALLED_APPS (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is only loaded in development (DEBUG=true).")
        created = 0
        # Each app that has a demo module loads its own data; the base package
        # comes first, so the apps find the organisations and users it made.
        for config in apps.get_app_configs():
            if find_spec(f"{config.name}.demo") is None:
                continue
            created += import_module(f"{config.name}.demo").load_demo_data()
        self.stdout.write(f"Demo data: {created} rows created.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(demo.role_label) for demo in USERS) + 1
        for demo in USERS:
            self.stdout.write(f"  {demo.role_label:<{width}} {demo.email}")
