"""JWTs that carry the store: 16-hour manager tokens."""

from rest_framework_simplejwt.tokens import RefreshToken


def manager_tokens(user):
    """Access and refresh tokens for a store manager, both carrying the store id."""
    refresh = RefreshToken.for_user(user)
    refresh["store_id"] = user.store_id
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
