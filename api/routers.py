"""One router for the whole API: every app's resources, and a root listing them."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import routers, serializers
from rest_framework.permissions import AllowAny

from api.query import CheckedQueryMixin
from api.schema import AutoSchema


class ApiRootSchema(AutoSchema):
    def get_response_serializers(self):
        names = self.view.api_root_dict
        return inline_serializer("ApiRoot", {name: serializers.URLField() for name in names})


class ApiRootView(CheckedQueryMixin, routers.APIRootView):
    permission_classes = [AllowAny]
    schema = ApiRootSchema()

    @extend_schema(
        summary="List every resource",
        description="The URL of every resource of this version of the API.",
        tags=["Explore"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ApiRouter(routers.DefaultRouter):
    """DRF's DefaultRouter over the resources of several apps' routers, whose root also lists
    the API's other views (`also_listed`: name in the root -> URL name)."""

    APIRootView = ApiRootView
    # `.json` suffixes would double every route; `?format=json` does the same.
    include_format_suffixes = False

    def __init__(self, *app_routers, also_listed: dict[str, str]):
        super().__init__()
        for app_router in app_routers:
            self.registry.extend(app_router.registry)
        self.also_listed = also_listed

    def get_api_root_view(self, api_urls=None):
        list_name = self.routes[0].name
        api_root_dict = {prefix: list_name.format(basename=basename) for prefix, _, basename in self.registry}
        return self.APIRootView.as_view(api_root_dict=api_root_dict | self.also_listed)
