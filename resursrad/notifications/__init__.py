"""Notifications: one outbox in the database, delivered in the app and by e-mail.

An app declares its kinds in ``<app>/notifications.py`` (``KINDS``) and calls
``resursrad.notifications.services.notify`` inside its own transaction. The
rows are the record of what is due and what was sent; Celery only carries
the news that something is due (``tasks.py``).
"""
