"""The migration that renamed the grant roles keeps every grant's rights, both ways."""

from importlib import import_module

from django.apps import apps

from dashboard.models import Grant
from tests.factories import GrantFactory

migration = import_module("dashboard.migrations.0006_grant_roles_operator_admin")


def roles(*grants: Grant) -> list[str]:
    return [Grant.objects.get(pk=grant.pk).role for grant in grants]


def test_manager_becomes_operator_and_owner_becomes_admin_and_back(db):
    viewer = GrantFactory(role="viewer")
    manager = GrantFactory(role="manager")
    owner = GrantFactory(role="owner")

    migration.forwards(apps, None)
    assert roles(viewer, manager, owner) == ["viewer", "operator", "admin"]

    migration.backwards(apps, None)
    assert roles(viewer, manager, owner) == ["viewer", "manager", "owner"]
