"""DRF authentication: Bearer JWTs for managers."""

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken


class ManagerJWTAuthentication(JWTAuthentication):
    """A manager's token: a user of a store, still in that store, still active."""

    def get_user(self, validated_token):
        if "table_id" in validated_token:
            raise InvalidToken({"detail": "Tablet tokens cannot be used here.", "code": "token_not_valid"})
        user = super().get_user(validated_token)
        if user.store_id is None or validated_token.get("store_id") != user.store_id:
            raise InvalidToken({"detail": "Token is not valid for a store.", "code": "token_not_valid"})
        return user
