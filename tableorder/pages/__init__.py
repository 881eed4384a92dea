"""The page shells: each page's view, its template context and the strings its script shows.

Pages are served under `core.csp`'s nonce policy; everything else they do goes through the API.
"""
