"""The signing agent (``ledger agent``): runs on the operator's PC beside the card reader.

The web application never holds an operator's key. It asks this agent for a signature by
opening the agent's page in a popup with a sign request it signed (``ledger.sign_requests``);
the agent checks the request, shows in Thai what will be signed (parsed here from the very
bytes), asks the card's PIN in its own page, has the card sign, and posts the answer back to
the opener at exactly the request's origin. See docs/agent.md.

``agent.config`` what the agent trusts and where its card is; ``agent.checks`` the request
checks (trusted key, origin, expiry, nonce, CSRF token); ``agent.display`` the statement as the
operator reads it; ``agent.card_signing`` the card; ``agent.app`` the pages and the guards.
"""
