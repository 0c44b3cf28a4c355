#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resursrad.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # The settings fail closed. Django's command runner would swallow that and
    # fail later with an unrelated error; say what is wrong instead, and stop.
    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads and checks the settings
    except ImproperlyConfigured as error:
        sys.exit(f"Configuration error: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
