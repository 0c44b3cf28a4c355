from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from resursrad.models import Heartbeat, Organisation, User


class UserCreateForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "organisation")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ("last_name", "first_name")
    list_display = ("email", "first_name", "last_name", "organisation", "role_list", "is_active")
    list_filter = (
        "is_case_worker",
        "is_coordinator",
        "is_council_member",
        "is_steering_member",
        "is_administrator",
        "is_active",
        "organisation__party",
    )
    list_select_related = ("organisation",)
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "title", "phone", "organisation")}),
        (
            _("Roles"),
            {
                "fields": (
                    "is_case_worker",
                    "is_coordinator",
                    "is_council_member",
                    "is_steering_member",
                    "is_administrator",
                    "is_active",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "organisation", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(str(role.label) for role in obj.roles)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "party")
    list_filter = ("party",)
    search_fields = ("name",)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run", "runs")
    readonly_fields = ("name", "last_run", "runs")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# Roles are the flags on User; Django's groups are not used.
admin.site.unregister(Group)
