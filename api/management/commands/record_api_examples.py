import json

from django.core.management.base import BaseCommand
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from api.schema_hooks import EXAMPLES_FILE, abridged

# Host the recorded URLs show: the one `make run` serves on.
EXAMPLE_HOST = "127.0.0.1:8000"
LIST_QUERY = {"page_size": 2}
EXTRA_QUERY = {"/api/v1/search/": {"q": "Mukden"}, "/api/v1/timeline/": {"start": "1904"}}


class Command(BaseCommand):
    help = (
        "Record one real response for every GET operation of the schema into "
        f"{EXAMPLES_FILE.name}, shown as examples in the API docs. Run it on the loaded dataset "
        "after changing a serializer; the test suite fails while the examples are stale."
    )

    def handle(self, *args, **options):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        client = Client(HTTP_HOST=EXAMPLE_HOST)
        examples = {}
        for path, item in sorted(schema["paths"].items()):
            operation = item.get("get")
            if operation is None:
                continue
            concrete = self.concrete_path(client, path)
            query = dict(EXTRA_QUERY.get(path, {}))
            if any(parameter["name"] in LIST_QUERY for parameter in operation.get("parameters", [])):
                query |= LIST_QUERY
            response = client.get(concrete, query, HTTP_ACCEPT="application/json")
            if response.status_code != 200:
                raise SystemExit(f"GET {concrete} answered {response.status_code}")
            shown = concrete + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
            if response.streaming:
                value = abridged(json.loads(b"".join(response.streaming_content)))
            else:
                value = response.json()
            examples[operation["operationId"]] = {"path": shown, "value": value}
        EXAMPLES_FILE.write_text(json.dumps(examples, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"Recorded {len(examples)} examples in {EXAMPLES_FILE}")

    @staticmethod
    def concrete_path(client, path):
        """A detail path with the identifier of the first record its list returns."""
        if "{" not in path:
            return path
        list_path, parameter = path.split("{", 1)
        key, rest = parameter.split("}", 1)
        first = client.get(list_path, {"page_size": 1}, HTTP_ACCEPT="application/json").json()["results"][0]
        identifier = first["id"] if key == "uuid" else first[key]
        return f"{list_path}{identifier}{rest}"
