"""A malformed environment stops start-up with one message naming the variable."""

import pytest
from django.core.management import call_command

from tests.servers import manage


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"DJANGO_DEBUG": "0"}, "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off"),
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50}, "DJANGO_ALLOWED_HOSTS is required"),
        (
            {"DJANGO_ALLOWED_HOSTS": "a.example,,b.example"},
            "DJANGO_ALLOWED_HOSTS='a.example,,b.example' has an empty item",
        ),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL='nosuchdb://x' is not a valid database URL"),
        ({"API_MAX_PAGE_SIZE": "lots"}, "API_MAX_PAGE_SIZE='lots' is not a whole number"),
        (
            {"API_TRUSTED_PROXIES": "127.0.0.1,proxy.local"},
            "API_TRUSTED_PROXIES: 'proxy.local' is not an IP address or network",
        ),
        ({"API_TRUSTED_PROXIES": "10.0.0.1/8"}, "API_TRUSTED_PROXIES: '10.0.0.1/8' is not an IP address"),
        (
            {
                "DATABASE_REPLICA_URLS": "sqlite:///replica.sqlite3,nosuchdb://x",
                "REDIS_URL": "redis://127.0.0.1",
            },
            "DATABASE_REPLICA_URLS='nosuchdb://x' is not a valid database URL",
        ),
        (
            {"DATABASE_REPLICA_URLS": "sqlite:///replica.sqlite3", "REDIS_URL": ""},
            "DATABASE_REPLICA_URLS needs REDIS_URL",
        ),
    ],
)
def test_a_bad_variable_stops_start_up_with_its_name(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_defaults_start_on_a_laptop():
    result = manage("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
