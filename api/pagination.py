from django import forms
from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from api.filters import INTEGER_FILTER_MAX, WholeNumberField


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages; `page_size` may be chosen up to a cap, and past it is a 400."""

    page_size_query_param = "page_size"
    # `page=last` is DRF's convenience, but the schema says a page is a number.
    last_page_strings = ()

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        message = f"Must be a whole number from 1 to {self.max_page_size}."
        return self.whole_number(raw, self.page_size_query_param, message, self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        # A number past the last page is still a 404, as DRF answers it.
        message = f"Must be a whole number from 1 to {INTEGER_FILTER_MAX}."
        return self.whole_number(raw, self.page_query_param, message, INTEGER_FILTER_MAX)

    @staticmethod
    def whole_number(raw, name, message, max_value=None):
        try:
            return WholeNumberField(min_value=1, max_value=max_value).clean(raw)
        except forms.ValidationError:
            raise ValidationError({name: [message]}) from None

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
                parameter["description"] = (
                    f"Results per page (1 to {self.max_page_size}; default {self.page_size})."
                )
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": INTEGER_FILTER_MAX})
        return parameters
