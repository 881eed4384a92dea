"""Menu images on S3, as in production: django-storages against moto's S3 server on 127.0.0.1.

The storage comes from tableorder/settings.py's own S3 block, evaluated with the production
variables plus a local endpoint. The bucket carries the bucket policy of
deploy/aws/tableorder.yaml, so a tablet's image URL serves only because that policy allows it.
Every S3 call the app's boto3 clients make is recorded (botocore's `before-call` event) and
held against the S3 statements of the template's app role: nothing missing, nothing unused.

Replaced, cleared and deleted images stay in the bucket, deliberately: a menu import can point
items of several stores at one stored file, tablets still showing the previous menu keep
loading its pictures, and the bucket is versioned anyway. So the app never deletes objects,
and its role may not.
"""

import io
import json
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.config import Config
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from PIL import Image

from accounts.tokens import manager_tokens, table_tokens
from menus.images import MAX_IMAGE_BYTES
from menus.models import MenuItem
from orders.services import close_session, place_order

BUCKET = "tableorder-media"
REGION = "ap-northeast-2"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "aws" / "tableorder.yaml"
API = "/api/v1/admin"

# The IAM actions each S3 operation needs. HeadObject needs s3:GetObject, and s3:ListBucket
# too when the key does not exist (without it S3 answers 403 instead of 404, and
# django-storages' exists() raises): the app asks exactly that before every upload, for a
# free name. Uploads are one PutObject: images stop at 5 MB, multipart starts at 8 MB.
ACTIONS = {
    "HeadObject": {"s3:GetObject", "s3:ListBucket"},
    "GetObject": {"s3:GetObject"},
    "PutObject": {"s3:PutObject"},
    "DeleteObject": {"s3:DeleteObject"},
    "ListObjectsV2": {"s3:ListBucket"},
    "CreateMultipartUpload": {"s3:PutObject"},
    "UploadPart": {"s3:PutObject"},
    "CompleteMultipartUpload": {"s3:PutObject"},
    "AbortMultipartUpload": {"s3:AbortMultipartUpload"},
}


# The template, with CloudFormation's short tags read as their long forms.


class TemplateLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        return {name: value.split(".", 1) if suffix == "GetAtt" else value}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    return {name: loader.construct_mapping(node, deep=True)}


TemplateLoader.add_multi_constructor("!", _intrinsic)


def template_resources():
    return yaml.load(TEMPLATE.read_text(), Loader=TemplateLoader)["Resources"]


def resolve(value):
    """A policy value of the template with the media bucket's name and ARN filled in."""
    if isinstance(value, list):
        return [resolve(item) for item in value]
    if isinstance(value, dict):
        if value == {"Ref": "MediaBucket"}:
            return BUCKET
        if value == {"Fn::GetAtt": ["MediaBucket", "Arn"]}:
            return BUCKET_ARN
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            return value["Fn::Sub"].replace("${MediaBucket.Arn}", BUCKET_ARN).replace("${MediaBucket}", BUCKET)
        return {key: resolve(item) for key, item in value.items()}
    return value


def as_list(value):
    return value if isinstance(value, list) else [value]


def bucket_policy():
    return resolve(template_resources()["MediaBucketPolicy"]["Properties"]["PolicyDocument"])


def role_s3_statements():
    """The S3 statements of the app servers' role: [(actions, resources)]."""
    statements = []
    for policy in template_resources()["AppRole"]["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = set(as_list(statement["Action"]))
            if any(action.startswith("s3:") for action in actions):
                assert statement["Effect"] == "Allow"
                statements.append((actions, set(as_list(resolve(statement["Resource"])))))
    return statements


# moto's S3 server, one for the session; the bucket set up as the template sets it up.


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="session")
def moto_endpoint():
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        s3 = _client(endpoint)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(bucket_policy()))
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket(moto_endpoint):
    """The bucket as its owner sees it (not the app's client: its calls are not recorded)."""
    return _client(moto_endpoint)


class RecordedS3:
    """The S3 calls of the app's boto3 clients: [(operation, key)] in order."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.calls = []

    def record(self, event_name, context, **kwargs):
        params = context.get("input_params", {})
        assert params.get("Bucket") == BUCKET
        self.calls.append((event_name.rsplit(".", 1)[-1], params.get("Key")))

    def operations(self):
        return [operation for operation, _key in self.calls]

    def url(self, name):
        return f"{self.endpoint}/{BUCKET}/{name}"


@pytest.fixture
def s3(moto_endpoint, settings, monkeypatch):
    """Media on S3 through the settings' own S3 block; the app's S3 calls recorded."""
    production = {"AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_REGION_NAME": REGION}
    local = {"AWS_S3_ENDPOINT_URL": moto_endpoint, "AWS_S3_ADDRESSING_STYLE": "path"}
    for name, value in {**production, **local}.items():
        monkeypatch.setenv(name, value)
    # On AWS the instance role provides credentials; moto accepts any.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    storage = runpy.run_path(str(Path(settings.BASE_DIR) / "tableorder" / "settings.py"))["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    recorded = RecordedS3(moto_endpoint)
    for connection in (default_storage.connection, default_storage.unsigned_connection):
        connection.meta.client.meta.events.register("before-call.s3", recorded.record)
    return recorded


# Clients and actions.


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def api(manager):
    return Client(headers={"Authorization": f"Bearer {manager_tokens(manager)['access']}"})


@pytest.fixture
def tablet(table):
    return Client(headers={"Authorization": f"Bearer {table_tokens(table)['access']}"})


def png(color="red", size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def upload(content, name="dish.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def admin_upload(manager_client, item, content):
    """Give `item` an image on its admin change form."""
    form = {
        "category": str(item.category_id),
        "name": item.name,
        "price": str(item.price),
        "description": item.description,
        "image_url": "",
        "is_available": "on",
        "group_links-TOTAL_FORMS": "0",
        "group_links-INITIAL_FORMS": "0",
        "group_links-MIN_NUM_FORMS": "0",
        "group_links-MAX_NUM_FORMS": "1000",
        "image": upload(content),
    }
    response = manager_client.post(reverse("admin:menus_menuitem_change", args=[item.pk]), form)
    assert response.status_code == 302, response.content
    item.refresh_from_db()
    return item.image.name


def api_upload(api, item, content):
    """Replace `item`'s image through the manager API (multipart PATCH)."""
    body = encode_multipart(BOUNDARY, {"image": upload(content)})
    response = api.patch(f"{API}/menu-items/{item.pk}", body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    return item.image.name


def tablet_image_urls(tablet):
    response = tablet.get("/api/v1/menu")
    assert response.status_code == 200
    return {item["name"]: item["image_url"] for category in response.json()["categories"] for item in category["items"]}


def tablet_srcsets(tablet):
    menu = tablet.get("/api/v1/menu").json()
    return {item["name"]: item["image_srcset"] for category in menu["categories"] for item in category["items"]}


def display_size(name, width):
    """The storage name of the display size `width` px wide of the stored image `name`."""
    return f"{name.rsplit('.', 1)[0]}_{width}w.webp"


def public_get(url):
    """GET `url` as a browser would: no credentials. Returns (status, content type, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, None, b""


def stored(bucket, name):
    try:
        return bucket.head_object(Bucket=BUCKET, Key=name)["ContentType"]
    except bucket.exceptions.ClientError:
        return None


# Uploads


def test_an_image_uploaded_in_the_admin_lands_in_the_bucket_and_the_tablet_shows_it(
    s3, bucket, manager_client, tablet, menu
):
    picture = png()

    name = admin_upload(manager_client, menu[0], picture)

    assert name.startswith("menu/") and name.endswith(".png")
    assert stored(bucket, name) == "image/png"
    small = display_size(name, 8)
    assert s3.calls == [("HeadObject", name), ("PutObject", name), ("HeadObject", small), ("PutObject", small)]
    assert tablet_image_urls(tablet)[menu[0].name] == s3.url(name)
    assert tablet_srcsets(tablet)[menu[0].name] == f"{s3.url(small)} 8w"
    assert public_get(s3.url(name)) == (200, "image/png", picture)
    status, content_type, body = public_get(s3.url(small))
    assert (status, content_type, Image.open(io.BytesIO(body)).size) == (200, "image/webp", (8, 8))


def test_an_image_uploaded_through_the_manager_api_lands_in_the_bucket_and_the_tablet_shows_it(
    s3, bucket, api, tablet, menu
):
    picture = png("blue")

    name = api_upload(api, menu[1], picture)

    assert name.startswith("menu/") and name.endswith(".png")
    assert stored(bucket, name) == "image/png"
    small = display_size(name, 8)
    assert s3.calls == [("HeadObject", name), ("PutObject", name), ("HeadObject", small), ("PutObject", small)]
    assert stored(bucket, small) == "image/webp"
    read = api.get(f"{API}/menu-items/{menu[1].pk}").json()
    assert (read["image_url"], read["image_srcset"]) == (s3.url(name), f"{s3.url(small)} 8w")
    assert tablet_image_urls(tablet)[menu[1].name] == s3.url(name)
    assert public_get(s3.url(name)) == (200, "image/png", picture)


def test_the_largest_image_allowed_is_one_put(s3, bucket, api, menu):
    # Noise does not compress: a PNG of just under 5 MB.
    noise = Image.frombytes("RGB", (1250, 1250), os.urandom(1250 * 1250 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    picture = buffer.getvalue()
    assert MAX_IMAGE_BYTES - 600_000 < len(picture) <= MAX_IMAGE_BYTES

    name = api_upload(api, menu[0], picture)

    # The upload is one put; its two display sizes one each.
    assert s3.calls == [
        ("HeadObject", name),
        ("PutObject", name),
        *[(operation, display_size(name, width)) for width in (400, 800) for operation in ("HeadObject", "PutObject")],
    ]
    # Stored again without metadata (menus.images), pixel for pixel.
    stored = bucket.get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert Image.open(io.BytesIO(stored)).tobytes() == noise.tobytes()


def test_only_menu_images_are_public(s3, bucket, manager_client, menu):
    name = admin_upload(manager_client, menu[0], png())
    bucket.put_object(Bucket=BUCKET, Key="private/report.png", Body=png(), ContentType="image/png")

    assert public_get(s3.url(name))[0] == 200
    assert public_get(s3.url("private/report.png"))[0] == 403


# Changing the menu after orders


def _replace(api, manager_client, item):
    api_upload(api, item, png("green"))


def _clear(api, manager_client, item):
    response = api.patch(f"{API}/menu-items/{item.pk}", {"image_url": ""}, content_type="application/json")
    assert response.status_code == 200 and response.json()["image_url"] == ""


def _delete(api, manager_client, item):
    response = manager_client.post(reverse("admin:menus_menuitem_delete", args=[item.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not MenuItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("change", [_replace, _clear, _delete], ids=["replace", "clear", "delete item"])
def test_changing_an_items_image_keeps_past_orders_and_the_old_object(
    change, s3, bucket, api, manager_client, tablet, manager, table, menu
):
    item = menu[0]
    old_picture = png("purple")
    old_name = admin_upload(manager_client, item, old_picture)
    past = place_order(table=table, items=[{"menu_item_id": item.pk, "quantity": 2}])[0]
    close_session(table=table, actor=manager)
    current = place_order(table=table, items=[{"menu_item_id": item.pk, "quantity": 1}])[0]
    old_url = tablet_image_urls(tablet)[item.name]
    s3.calls.clear()

    change(api, manager_client, item)

    assert "DeleteObject" not in s3.operations()
    assert stored(bucket, old_name) == "image/png"
    # A tablet that read the menu before the change still shows the picture.
    assert public_get(old_url) == (200, "image/png", old_picture)
    lines = [{"name": item.name, "unit_price": item.price}]
    for order in (past, current):
        detail = api.get(f"{API}/orders/{order.pk}")
        assert detail.status_code == 200
        assert [{"name": line["name"], "unit_price": line["unit_price"]} for line in detail.json()["items"]] == lines
        assert manager_client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200
    history = api.get(f"{API}/history").json()["results"]
    assert [(order["id"], order["items"][0]["name"]) for order in history] == [(past.pk, item.name)]
    guest = tablet.get("/api/v1/orders")
    assert guest.status_code == 200
    assert [order["items"][0]["name"] for order in guest.json()["results"]] == [item.name]


# Menu files


def test_an_exported_menu_imports_on_s3_with_its_stored_images(s3, manager_client, menu, other_store, tmp_path):
    name = admin_upload(manager_client, menu[0], png())
    menu_file = tmp_path / "menu.json"
    call_command("export_menu", "alpha", str(menu_file))
    assert s3.url(name) in menu_file.read_text()
    s3.calls.clear()

    call_command("import_menu", "beta", str(menu_file))

    imported = MenuItem.objects.get(store=other_store, name=menu[0].name)
    # The same stored file, not an external link to it, with the same display sizes.
    assert (imported.image.name, imported.image_url) == (name, "")
    assert imported.image_sizes == {"8": display_size(name, 8)}
    assert s3.operations() == ["HeadObject"]


def test_an_external_image_url_imports_on_s3(s3, store, tmp_path):
    menu_file = tmp_path / "menu.csv"
    menu_file.write_text(
        "category,name,price,description,image_url,is_available\n식사,라면,5000,,https://img.example.com/r.jpg,true\n"
    )

    call_command("import_menu", "alpha", str(menu_file))

    item = MenuItem.objects.get(store=store, name="라면")
    assert (item.image.name, item.image_url) == ("", "https://img.example.com/r.jpg")
    assert s3.calls == []


# The template


def test_the_template_grants_exactly_the_s3_operations_the_app_performs(
    s3, api, manager_client, tablet, menu, other_store, tmp_path
):
    # Every way the app touches media: admin and API uploads, a replacement, a cleared
    # image, a deleted item, the tablet's menu, a menu export and import, the demo images,
    # display sizes made for an image stored before they existed.
    menu[2].image.save("old.png", ContentFile(png("yellow")), save=True)
    call_command("make_image_sizes")
    assert "GetObject" in s3.operations()
    admin_upload(manager_client, menu[0], png())
    api_upload(api, menu[1], png("blue"))
    api_upload(api, menu[1], png("green"))
    _clear(api, manager_client, menu[1])
    tablet_image_urls(tablet)
    call_command("export_menu", "alpha", str(tmp_path / "menu.json"))
    call_command("import_menu", "beta", str(tmp_path / "menu.json"))
    _delete(api, manager_client, menu[0])
    call_command("seed_demo", "--force")

    assert {key.split("/", 1)[0] for _operation, key in s3.calls} == {"menu"}
    unknown = {operation for operation, _key in s3.calls} - set(ACTIONS)
    assert not unknown, f"add the IAM actions of {unknown} to ACTIONS"
    needed = set().union(*(ACTIONS[operation] for operation, _key in s3.calls))
    statements = role_s3_statements()
    granted = set().union(*(actions for actions, _resources in statements))
    assert granted == needed, f"missing: {needed - granted}, unused: {granted - needed}"
    for actions, resources in statements:
        assert resources == ({BUCKET_ARN} if actions == {"s3:ListBucket"} else {f"{BUCKET_ARN}/menu/*"})


def test_the_bucket_policy_only_lets_anyone_read_menu_images():
    assert bucket_policy()["Statement"] == [
        {
            "Sid": "PublicReadMenuImages",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET_ARN}/menu/*",
        }
    ]
