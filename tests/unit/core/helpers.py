"""Helpers of the tests that walk every address of the app (CSRF, rate limits, bad input)."""

# The co-design domains: calls and proposals and what hangs on them.
CODESIGN = ("proposals", "comments", "moderation", "follows", "notifications")


def post_urls(app):
    """Every POST address of the app, its parameters filled with 1 (the token is checked first)."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            values = {name: 1 for name in rule.arguments}
            for name, converter in rule._converters.items():
                if hasattr(converter, "items"):  # any(...): its first word
                    values[name] = min(converter.items)
                elif converter.__class__.__name__ in ("UnicodeConverter", "PathConverter"):
                    values[name] = "x"
            urls.append((rule.endpoint, rule.build(values, append_unknown=False)[1]))
    return urls
