"""OpenAPI security schemes for our two kinds of Bearer token (loaded in AccountsConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class _BearerJWTScheme(OpenApiAuthenticationExtension):
    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="HTTP_AUTHORIZATION", token_prefix="Bearer", bearer_format="JWT"
        )


class ManagerTokenScheme(_BearerJWTScheme):
    target_class = "accounts.authentication.ManagerJWTAuthentication"
    name = "managerToken"


class TabletTokenScheme(_BearerJWTScheme):
    target_class = "accounts.authentication.TableJWTAuthentication"
    name = "tabletToken"
