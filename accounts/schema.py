"""OpenAPI security schemes for our Bearer tokens (loaded in AccountsConfig.ready)."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


def _bearer_jwt(description):
    scheme = build_bearer_security_scheme_object(
        header_name="HTTP_AUTHORIZATION", token_prefix="Bearer", bearer_format="JWT"
    )
    return {**scheme, "description": description}


class ManagerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ManagerJWTAuthentication"
    name = "managerToken"

    def get_security_definition(self, auto_schema):
        return _bearer_jwt("A store manager's access token from /api/v1/auth/login.")


class TabletTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TableJWTAuthentication"
    name = "tabletToken"

    def get_security_definition(self, auto_schema):
        return _bearer_jwt("A table tablet's access token from /api/v1/auth/table/login or /refresh.")


class ManagerOrTabletTokenScheme(OpenApiAuthenticationExtension):
    """Streams take either token; named by string so accounts does not import orders."""

    target_class = "orders.stream_access.BearerManagerOrTablet"
    name = "managerOrTabletToken"

    def get_security_definition(self, auto_schema):
        return _bearer_jwt("A store manager's or a table tablet's access token.")


class ManagerSessionScheme(SessionScheme):
    """The back office's session cookie (the live dashboard uses the manager API with it)."""

    target_class = "accounts.authentication.ManagerSessionAuthentication"
    name = "adminSession"
