"""Signals the layers above cases listen to."""

from django.dispatch import Signal

# Sent inside the erasure's transaction, once per case whose personal data was
# just erased (sender=Referral, referral=the case, at=the time of erasure): the
# apps that keep texts about the individual (the meeting records) erase theirs,
# so that erasure covers everything about the person, whatever app holds it.
personal_data_erased = Signal()
