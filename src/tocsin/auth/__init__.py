"""Who is at the keyboard: passwords, a second factor, sessions, CSRF, rate limits, API tokens.

Small pure modules with no database and no web framework: the store keeps what they produce
(hashes, digests, time steps) and the web layer calls them. Time is always passed in (or a clock
injected), so every expiry and every window can be tested without sleeping.
"""
