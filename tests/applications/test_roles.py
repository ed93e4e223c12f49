"""The staff roles the migrations create are the ones the tests give staff members."""

from tests.applications.factories import ROLE_PERMISSIONS


def test_the_migrations_create_each_role_with_exactly_the_factorys_permissions(migrated_groups):
    # migrated_groups was read right after the test database was migrated: a transactional
    # test's flush, which deletes the groups, cannot have happened yet.
    assert set(ROLE_PERMISSIONS) <= set(migrated_groups), "a role the migrations do not create"
    for role, permissions in ROLE_PERMISSIONS.items():
        assert migrated_groups[role] == permissions, (
            f"{role}: the migrations grant {sorted(migrated_groups[role] - permissions)} that "
            f"the factory does not, and not {sorted(permissions - migrated_groups[role])}"
        )
