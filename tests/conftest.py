import pytest
from django.conf import settings
from django.core.management import call_command

from sources.models import Source


def source_text() -> str:
    return (settings.DATASET_DIR / "000_e55e7a650dbafbc1.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real dataset once for the whole session."""
    with django_db_blocker.unblock():
        call_command("load_dataset", verbosity=0)


@pytest.fixture
def _reload_dataset_afterwards(django_db_blocker):
    # Set up before `transactional_db`, so torn down after its flush: the next test finds
    # the dataset in place again.
    yield
    with django_db_blocker.unblock():
        call_command("load_dataset", verbosity=0)


@pytest.fixture
def live_db(_reload_dataset_afterwards, transactional_db):
    """A database whose writes really commit (for live servers and concurrent writers)."""


@pytest.fixture
def text() -> str:
    return source_text()


@pytest.fixture
def source(db) -> Source:
    return Source.objects.get()
