"""The tablet page's Content-Security-Policy: only our own scripts, the import map by nonce."""

import re


def test_the_tablet_page_allows_only_its_own_scripts(client, db):
    response = client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([\w-]+)'", policy).group(1)
    assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert client.get("/")["Content-Security-Policy"] != policy, "a fresh nonce per response"
