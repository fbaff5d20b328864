"""Backups: `manage.py backup FILE` and `manage.py restore_backup FILE`.

The round trip backs up the dataset with edits made through the API, restores it into a
second, freshly migrated database (a file of its own on SQLite, a database the test creates
on PostgreSQL), and compares every table row by row, then the API's answers, then writes.
"""

import contextlib
import hashlib
import json
import shutil
import subprocess
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from api.backup import FORMAT, backed_up_models
from tests.servers import ROOT, database_url, gunicorn, listening, manage

PASSWORD = "a long pass phrase for the archivist"
NEW_PLACE = {"slug": "kuril-islands", "name": "Kuril Islands", "kind": "island"}
# The servers show absolute URLs; one host for both, so that their answers can be compared.
HOST = "localhost"
# The suite's own rate limits do not reach a server process.
SERVER_ENV = {"API_ANON_RATE": "100000/minute", "API_EDITOR_RATE": "100000/minute"}


def table_rows() -> dict:
    """{table: its rows} of every table of this process's database but django_migrations."""
    tables = sorted(set(connection.introspection.table_names()) - {"django_migrations"})
    with connection.cursor() as cursor:
        result = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            result[table] = sorted(map(repr, cursor.fetchall()))
        return result


def rows_of(url: str) -> dict:
    """table_rows() of the database at `url`, read by plain SQL in a process of its own."""
    code = "import json; from tests.test_backup import table_rows; print(json.dumps(table_rows()))"
    done = manage("shell", "-c", code, DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def postgres_server() -> dict:
    """The test database's PostgreSQL server, or on SQLite the one CI runs on 127.0.0.1."""
    if connection.vendor != "postgresql":
        return {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": settings["NAME"],
    }


def postgres(*statements: str) -> None:
    import psycopg

    with psycopg.connect(**postgres_server(), autocommit=True) as server:
        for statement in statements:
            server.execute(statement)


@contextlib.contextmanager
def new_database(vendor: str, suffix: str, path: Path, template=None):
    """The URL of a new, empty database: a file under `path` on SQLite, a database named
    after this test run's on PostgreSQL; a copy of `template` when given."""
    if vendor == "sqlite":
        file = path / f"{suffix}.sqlite3"
        if template:
            shutil.copyfile(template.removeprefix("sqlite:///"), file)
        yield f"sqlite:///{file}"
        return
    server = postgres_server()
    # Named after the test database, or after this checkout when that is SQLite's.
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    stem = server["dbname"] if vendor == connection.vendor else f"test_backup_{checkout}"
    name = f"{stem}_{suffix}"
    copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{copy}')
    try:
        yield f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    finally:
        postgres(f'DROP DATABASE "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    done = manage("migrate", "--noinput", DATABASE_URL=url)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def migrated(django_db_setup, tmp_path_factory):
    """A freshly migrated database, made once for the tests here to copy."""
    with new_database(connection.vendor, "migrated", tmp_path_factory.mktemp("backup")) as url:
        migrate(url)
        yield url


@pytest.fixture
def empty_database(migrated, tmp_path):
    """The URL of a freshly migrated, empty database of this test's own, of the test's kind."""
    with new_database(connection.vendor, "restored", tmp_path, template=migrated) as url:
        yield url


def call(base, method, path, body=None, token=None):
    """(status, headers, body) of one request to a server, as a client would send it."""
    headers = {"Host": HOST, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def answers(base, token=None) -> dict:
    """Every list of the API page by page, the history of each record listed and of the
    deleted place, and a search, as {path: (status, ETag, Last-Modified, body)}."""
    seen = {}

    def read(path):
        status, headers, body = call(base, "GET", path, token=token)
        seen[path] = (status, headers["ETag"], headers["Last-Modified"], body.decode())
        return json.loads(body)

    root = read("/api/v1/")
    pending = [
        url.removeprefix(f"http://{HOST}") + "?page_size=100"
        for name, url in root.items()
        if name not in ("schema", "token", "search", "meta", "dump")  # lists alone
    ]
    pending += ["/api/v1/places/kuril-islands/history/", "/api/v1/search/?q=Port%20Arthur"]
    while pending:
        path = pending.pop()
        page = read(path)
        if page.get("next"):
            pending.append(page["next"].removeprefix(f"http://{HOST}"))
        if path.startswith(("/api/v1/timeline/", "/api/v1/search/")) or "/history/" in path:
            continue
        pending += [
            record["url"].removeprefix(f"http://{HOST}") + "history/?page_size=100"
            for record in page["results"]
        ]
    return seen


@pytest.fixture
def edited(db, settings, make_user):
    """The dataset with an editor (a real password hash), a token, a session, and edits made
    through the API: a change, a change of relations, a record created and deleted."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    archivist = make_user("archivist", superuser=True)
    archivist.set_password(PASSWORD)
    archivist.save()
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "archivist", "password": PASSWORD}, format="json"
    )
    assert token.status_code == HTTPStatus.OK, token.content
    token = token.json()["token"]
    editor = APIClient()
    editor.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for method, path, body, expected in [
        ("patch", "/api/v1/places/mukden/", {"modern_name": "Shenyang"}, HTTPStatus.OK),
        (
            "patch",
            "/api/v1/engagements/fall-of-port-arthur/",
            {"places": [{"place": "mukden", "role": "site", "basis": "reading", "rationale": "x"}]},
            HTTPStatus.OK,
        ),
        ("post", "/api/v1/places/", NEW_PLACE, HTTPStatus.CREATED),
        ("delete", "/api/v1/places/kuril-islands/", None, HTTPStatus.NO_CONTENT),
    ]:
        response = getattr(editor, method)(path, body, format="json")
        assert response.status_code == expected, response.content
    Client().force_login(archivist)
    return token


def test_a_restored_backup_holds_every_row_and_answers_as_the_original(
    live_db, edited, empty_database, tmp_path
):
    # live_db: the edits are committed, for the backup and the server to read in processes of their own.
    source = database_url()
    backup = tmp_path / "backup.json"
    done = manage("backup", str(backup), DATABASE_URL=source)
    assert done.returncode == 0, done.stderr
    tables = json.loads(backup.read_text())["tables"]
    assert set(tables) == set(connection.introspection.table_names()) - {"django_migrations"}

    done = manage("restore_backup", str(backup), DATABASE_URL=empty_database)
    assert done.returncode == 0, done.stderr
    original = rows_of(source)
    # Every table, history and users and tokens and the data version included, row for row:
    # nothing lost, and no version recorded by the restore itself.
    assert rows_of(empty_database) == original
    assert all(original[table] for table in ("events_historicalplace", "authtoken_token", "django_session"))

    # A second restore finds the data there and changes nothing.
    again = manage("restore_backup", str(backup), DATABASE_URL=empty_database)
    assert again.returncode != 0
    assert "already holds data" in again.stderr
    assert rows_of(empty_database) == original

    with gunicorn(DATABASE_URL=source, **SERVER_ENV) as (before, _):
        expected = answers(before), answers(before, token=edited)
    # Every list and the history of every record (181 answers), not a few pages alone.
    assert len(expected[0]) > 150
    assert "/api/v1/places/mukden/history/?page_size=100" in expected[0]
    with gunicorn(DATABASE_URL=empty_database, **SERVER_ENV) as (after, _):
        assert (answers(after), answers(after, token=edited)) == expected
        writes_go_on(after, edited)


def test_a_pg_dump_restored_by_pg_restore_into_an_empty_database_holds_every_row(live_db, edited, tmp_path):
    # PostgreSQL's own route (the README's): the whole database, schema and sequences too.
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore are PostgreSQL's: run with DATABASE_URL=postgres://...")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL's client tools are not installed (apt-get install postgresql-client)")
    source, dump = database_url(), tmp_path / "backup.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--exclude-schema=as_of_*", f"--file={dump}", source],
        check=True,
    )
    with new_database("postgresql", "pg_restored", tmp_path) as url:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={url}",
                str(dump),
            ],
            check=True,
        )
        original = rows_of(source)
        assert rows_of(url) == original
        assert all(original[table] for table in ("events_historicalplace", "sources_citation"))
        with gunicorn(DATABASE_URL=url, **SERVER_ENV) as (after, _):
            writes_go_on(after, edited)


def writes_go_on(base, token):
    """The editor signs in with the same password and gets the same token, and every kind
    of write works: each sequence starts past the ids the original ever gave."""
    status, _, body = call(
        base, "POST", "/api/v1/auth/token/", {"username": "archivist", "password": PASSWORD}
    )
    assert (status, json.loads(body)["token"]) == (HTTPStatus.OK, token)
    status, _, body = call(base, "PATCH", "/api/v1/places/mukden/", {"modern_name": "Mukden"}, token)
    assert status == HTTPStatus.OK, body
    new = {"slug": "sea-of-japan", "name": "Sea of Japan", "kind": "region"}
    status, _, body = call(base, "POST", "/api/v1/places/", new, token)
    assert status == HTTPStatus.CREATED, body
    # The deleted place's id is not given to the new one, so bringing it back keeps both.
    _, _, body = call(base, "GET", "/api/v1/places/kuril-islands/history/", token=token)
    created = [v["version"] for v in json.loads(body)["results"] if v["change"] == "created"]
    status, _, body = call(
        base, "POST", "/api/v1/places/kuril-islands/restorations/", {"version": created[0]}, token
    )
    assert status == HTTPStatus.OK, body
    for slug, name in [("kuril-islands", "Kuril Islands"), ("sea-of-japan", "Sea of Japan")]:
        status, _, body = call(base, "GET", f"/api/v1/places/{slug}/")
        assert (status, json.loads(body).get("name")) == (HTTPStatus.OK, name)


def test_a_restore_that_fails_half_way_leaves_the_database_empty(db, empty_database, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", str(backup), verbosity=0)
    content = json.loads(backup.read_text())
    # The last table's last row links to a row that does not exist: every row before it has
    # been written by the time the database refuses it.
    last = backed_up_models()[-1]
    link = next(field for field in last._meta.local_concrete_fields if field.is_relation)
    table = content["tables"][last._meta.db_table]
    table["rows"][-1][table["columns"].index(link.column)] = 999999
    backup.write_text(json.dumps(content))
    empty = rows_of(empty_database)

    done = manage("restore_backup", str(backup), DATABASE_URL=empty_database)
    assert done.returncode != 0
    assert "nothing was restored" in done.stderr
    assert rows_of(empty_database) == empty


def test_a_backup_restores_into_the_other_kind_of_database(edited, tmp_path):
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]
    if other == "postgresql" and not listening(5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    backup, again = tmp_path / "backup.json", tmp_path / "again.json"
    call_command("backup", str(backup), verbosity=0)
    with new_database(other, "other", tmp_path) as url:
        migrate(url)
        for command, file in [("restore_backup", backup), ("backup", again)]:
            done = manage(command, str(file), DATABASE_URL=url)
            assert done.returncode == 0, done.stderr
    # Each value as its field reads it, the same on both kinds (rows sorted: the two order
    # text keys by different collations).
    assert backed_up_rows(again) == backed_up_rows(backup)


def backed_up_rows(path: Path) -> dict:
    tables = json.loads(path.read_text())["tables"]
    return {table: sorted(map(json.dumps, content["rows"])) for table, content in tables.items()}


@pytest.fixture
def backup_file(db, tmp_path) -> Path:
    path = tmp_path / "backup.json"
    call_command("backup", str(path), verbosity=0)
    return path


def overwrite(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def rewrite(path: Path, change) -> Path:
    content = json.loads(path.read_text())
    change(content)
    path.write_text(json.dumps(content))
    return path


def earlier_migration_state(content):
    content["migrations"] = [m for m in content["migrations"] if m != ["events", "0003_dates_on_first_day"]]


def without_table(content):
    del content["tables"]["events_place"]


def bad_date(content):
    table = content["tables"]["events_event"]
    table["rows"][0][table["columns"].index("date")] = "1904-02-30"


BAD = {
    "missing file": (lambda path: path.with_name("nowhere.json"), "nowhere.json: no such file"),
    "not JSON": (lambda path: overwrite(path, "id,slug\n1,japan\n"), "is not a backup: it is not UTF-8 JSON"),
    "another file": (
        lambda path: overwrite(path, '[{"model": "events.party", "pk": 1}]'),
        "is not a backup made by `manage.py backup`",
    ),
    "a newer format": (
        lambda path: rewrite(path, lambda c: c.update(format_version=2)),
        "format version 2; this code reads version 1",
    ),
    "another migration state": (
        lambda path: rewrite(path, earlier_migration_state),
        "another migration state than this database's",
    ),
    "a table missing": (lambda path: rewrite(path, without_table), "Here, not in the backup: events_place"),
    "a value its column cannot hold": (
        lambda path: rewrite(path, bad_date),
        "row 1 of events_event does not fit column date",
    ),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_a_bad_backup_is_refused_and_changes_nothing(backup_file, case):
    break_it, message = case
    target = break_it(backup_file)
    before = table_rows()
    # --replace: without the fault, the restore would delete and write every table.
    with pytest.raises(CommandError) as refused:
        call_command("restore_backup", str(target), "--replace", verbosity=0)
    assert message in str(refused.value)
    assert table_rows() == before


def test_replace_puts_the_backup_in_place_of_what_the_database_holds(backup_file, make_user, api_as):
    from api import data_version

    before = table_rows()
    editor = api_as(make_user("late-editor", superuser=True))
    assert (
        editor.patch("/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json").status_code == 200
    )
    assert editor.post("/api/v1/places/", NEW_PLACE, format="json").status_code == HTTPStatus.CREATED
    generation = data_version.current()[0]

    call_command("restore_backup", str(backup_file), "--replace", verbosity=0)
    after = table_rows()
    assert after.pop("api_dataversion") != before.pop("api_dataversion")
    assert after == before
    # Past the version the replaced data had: no server serves what it cached for that.
    assert data_version.current()[0] > generation


def test_a_backup_never_overwrites_a_file(backup_file):
    written = backup_file.read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(backup_file), verbosity=0)
    assert backup_file.read_bytes() == written
    assert json.loads(written)["format"] == FORMAT
    assert backup_file.stat().st_mode & 0o077 == 0
