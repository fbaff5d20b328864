"""Tokens for programs that write: a username and password exchanged for the user's token."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView

from api.query import CheckedQueryMixin


class CredentialsSerializer(AuthTokenSerializer):
    """DRF's, with lengths bounded: the login-failure log (django-axes) stores the username in
    a column of 255 characters, which PostgreSQL enforces and SQLite does not."""

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password",
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )


class TokenView(CheckedQueryMixin, ObtainAuthToken):
    """Exchange a username and password for the API token of that user.

    DRF's view takes form and multipart bodies and is never throttled; this one takes JSON
    only, like the rest of the API, and counts every attempt against the client's limit."""

    serializer_class = CredentialsSerializer
    parser_classes = APIView.parser_classes
    throttle_classes = APIView.throttle_classes

    @extend_schema(
        summary="Get your API token",
        description=(
            "Send `username` and `password`; the answer holds the user's token. Send it on writes as "
            "`Authorization: Token <token>`. The same token comes back every time."
        ),
        tags=["Auth"],
        examples=[
            OpenApiExample(
                "token", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        refused = serializer.errors.get("non_field_errors", []) if not serializer.is_valid() else []
        if any(error.code == "authorization" for error in refused):
            # Well-formed credentials that match no active user: a 401, as for a bad token.
            raise AuthenticationFailed("Unable to log in with the username and password given.")
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
