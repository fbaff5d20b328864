import pytest
from django.conf import settings
from django.core.management import call_command

from api.backup import restore_backup, write_backup
from sources.models import Source
from tests.factories import TEXTBOOK


def source_text() -> str:
    return (settings.DATASET_DIR / "000_e55e7a650dbafbc1.txt").read_text(encoding="utf-8")


_session = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the real dataset once for the whole session, and back it up (api.backup) to put
    it back after a transactional test, row for row, in a second rather than a reload's ten."""
    _session["blocker"] = django_db_blocker
    with django_db_blocker.unblock():
        call_command("load_dataset", verbosity=0)
        _session["backup"] = tmp_path_factory.mktemp("dataset") / "loaded.json"
        write_backup(_session["backup"])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # A transactional test ends by emptying every table; once all of its fixtures are torn
    # down, put the dataset back for the tests after it.
    # After the last test the database is gone with the session; nothing comes after it.
    if nextitem is None:
        return
    if "transactional_db" in getattr(item, "fixturenames", ()) and "blocker" in _session:
        with _session["blocker"].unblock():
            restore_backup(_session["backup"], replace=True)


@pytest.fixture
def live_db(transactional_db):
    """A database whose writes really commit (for live servers and concurrent writers)."""


@pytest.fixture
def text() -> str:
    return source_text()


@pytest.fixture
def source(db) -> Source:
    return Source.objects.get(slug=TEXTBOOK)


@pytest.fixture
def textbook_only(db):
    """The dataset as the textbook gives it: without other sources' statements and figures
    (which keep the records they are about from being deleted), for tests of rules the
    textbook's records show; tests/test_statements.py tests those records' own."""
    from events.models import Figure, Statement

    Statement.objects.all().delete()
    Figure.objects.exclude(citations__source__slug=TEXTBOOK).delete()


@pytest.fixture(autouse=True)
def _generous_rate_limits(monkeypatch):
    # The suite makes thousands of anonymous requests a minute; the throttle tests set their own.
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "user": "100000/minute"}
    )


@pytest.fixture
def tight_limits(monkeypatch):
    """Limits small enough to reach: 3 requests a minute anonymously, 5 as an editor."""
    from rest_framework.throttling import SimpleRateThrottle

    from api.throttling import counter

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    counter().clear()
    yield
    counter().clear()


@pytest.fixture(autouse=True)
def _no_cached_answers():
    # Each test's database is rolled back, and with it the data version; answers cached
    # under a version of another test's data must not be served to this one.
    from config.wsgi import application

    application.answers.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Users are made per test; the real hasher's deliberate slowness buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db, django_user_model):
    from django.contrib.auth.models import Permission

    def make(username, *codenames, superuser=False):
        user = django_user_model.objects.create_user(username=username, password="pw-" + username)
        user.is_superuser = superuser
        user.is_staff = superuser
        user.save()
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        return user

    return make


@pytest.fixture
def api_as():
    """An API client authenticated with the user's token, as a program would be."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client_for(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def browser_env(monkeypatch):
    """Headless chromium is here (or the test skips, saying why)."""
    from tests.browser import require_chromium

    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls
    # happen in its own thread, so Django's async guard does not apply to them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def keeping_the_connection(application):
    """The WSGI application, for tests that call it themselves. Django closes its connection
    when a WSGI request starts and ends, but the test's transaction lives on that connection,
    so keep it open around each request, as Django's own test client does."""
    from django.core import signals
    from django.db import close_old_connections

    def call(environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = application(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    return call
