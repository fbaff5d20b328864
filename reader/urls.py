from django.urls import path

from reader import views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("read/<slug:slug>/", views.source, name="source"),
    path("timeline/", views.timeline, name="timeline"),
    path("records/<slug:kind>/", views.kind_index, name="kind"),
    path("records/<slug:kind>/<slug:slug>/", views.record, name="record"),
]
