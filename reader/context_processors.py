from django.conf import settings


def service(request) -> dict:
    """The service's name, for every page: the reader's, the browsable API's and the admin's."""
    return {"service_name": settings.SERVICE_NAME}
