"""Every co-design address that writes is rate limited (RATELIMIT_WRITE, or RATELIMIT_COMMENT for
comments and replies): the limited app allows two POSTs a minute, the third is 429."""
from civiclab.extensions import limiter
from tests.conftest import login
from tests.unit.core.helpers import CODESIGN, post_urls


def test_every_codesign_write_is_rate_limited(limited_app, limited_client, make_user):
    login(limited_client, make_user())
    urls = [(endpoint, url) for endpoint, url in post_urls(limited_app) if endpoint.split(".")[0] in CODESIGN]
    assert len(urls) > 20

    unlimited = {}
    for endpoint, url in urls:
        limiter.reset()
        answers = [limited_client.post(url, data={}).status_code for _ in range(3)]
        if 429 in answers[:2] or answers[2] != 429:
            unlimited[endpoint] = answers

    assert unlimited == {}
