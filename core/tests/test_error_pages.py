"""Errors Django answers itself (no view ran, or a view crashed) keep the API's error shape under /api/."""

import pytest
from django.test import Client
from django.urls import path

from tableorder.urls import *  # noqa: F403  (the project's routes and handlers, plus one that crashes)
from tableorder.urls import urlpatterns as project_urlpatterns


def crash(request):
    raise RuntimeError("secret detail that must not reach a client")


urlpatterns = [path("api/v1/crash", crash), path("crash", crash), *project_urlpatterns]


@pytest.mark.urls(__name__)
def test_a_crash_under_the_api_is_a_500_in_the_error_shape(db):
    response = Client(raise_request_exception=False).get("/api/v1/crash")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "server_error" and error["message"]
    assert b"secret detail" not in response.content


@pytest.mark.urls(__name__)
def test_a_crash_elsewhere_is_still_a_page(db):
    response = Client(raise_request_exception=False).get("/crash")
    assert response.status_code == 500
    assert response["content-type"].startswith("text/html")


def test_an_unknown_host_under_the_api_is_a_400_in_the_error_shape(db):
    response = Client().get("/api/v1/menu", headers={"host": "evil.example"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request" and error["message"]


def test_an_unknown_host_elsewhere_is_still_a_page(db):
    response = Client().get("/admin/login/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert response["content-type"].startswith("text/html")
