"""The campaign dashboard: a Telegram Mini App served by pixbot's own aiohttp server (the page
in ``static/``, its JSON API, Telegram's initData as the educator's credentials)."""
