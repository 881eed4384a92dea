"""`signed_in_manager`: the one check of a manager credential (tokens, stream tickets, open
streams, back-office sessions), and permissions that only answer yes or no."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from rest_framework.test import APIRequestFactory

from accounts.models import User
from accounts.permissions import IsStoreManager, IsTablet
from accounts.signin import session_manager, signed_in_manager

pytestmark = pytest.mark.django_db


def check(manager, **claims):
    return signed_in_manager(
        **{"user_id": manager.pk, "store_id": manager.store_id, "token_version": manager.token_version, **claims}
    )


def test_a_current_credential_names_the_manager_with_their_store(manager, django_assert_num_queries):
    with django_assert_num_queries(1):
        signed_in = check(manager)
        assert signed_in == manager and signed_in.store.code == "alpha"


def test_another_store_an_old_version_or_a_missing_claim_is_refused(manager, other_store):
    assert check(manager, store_id=other_store.pk) is None
    assert check(manager, token_version=manager.token_version + 1) is None
    for claim in ("user_id", "store_id", "token_version"):
        assert check(manager, **{claim: None}) is None


def test_a_deactivated_or_changed_manager_is_refused(manager):
    User.objects.filter(pk=manager.pk).update(token_version=F("token_version") + 1)
    assert check(manager) is None
    manager.refresh_from_db()
    assert check(manager) is not None
    User.objects.filter(pk=manager.pk).update(is_active=False)
    assert check(manager) is None


def test_a_session_of_a_platform_admin_is_no_managers(db):
    admin = User.objects.create_superuser(username="root", password="root-pass-123")
    assert session_manager(admin) is None
    assert session_manager(AnonymousUser()) is None


def test_permissions_only_answer(manager, table):
    for user, manager_may, tablet_may in ((manager, True, False), (table, False, True), (None, False, False)):
        request = APIRequestFactory().get("/")
        request.user = user
        assert IsStoreManager().has_permission(request, None) is manager_may
        assert IsTablet().has_permission(request, None) is tablet_may
        assert not hasattr(request, "store") and not hasattr(request, "table")
