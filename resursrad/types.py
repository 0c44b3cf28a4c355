from django.http import HttpRequest

from resursrad.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind @login_required: its user is a real User."""

    user: User
    # The menu section a page belongs to, when its address does not say it (context_processors.navigation).
    nav_section: str
