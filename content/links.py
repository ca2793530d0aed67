"""`pixbot content check-links`: every tutorial and tip URL, checked when a network is there."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable

import aiohttp

from content.bank import ContentBank

PROBE_HOST = "www.wikipedia.org"
CONCURRENCY = 8


def urls(bank: ContentBank) -> dict[str, list[str]]:
    """Each URL with the ids that use it."""
    found: dict[str, list[str]] = {}
    for tutorial in bank.tutorials.values():
        found.setdefault(str(tutorial.url), []).append(tutorial.id)
    for tip in bank.tips:
        sources = {tip.source} | {text.source for text in (tip.en, tip.fr) if text and text.source}
        for source in sources:
            found.setdefault(str(source.url), []).append(tip.id)
    return found


async def online(host: str = PROBE_HOST, seconds: float = 3.0) -> bool:
    """Whether the public web answers: a TCP connection to a well-known host."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, 443), seconds)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def check_links(bank: ContentBank, seconds: float = 10.0) -> int:
    targets = urls(bank)
    if not await online():
        print(f"offline: cannot reach {PROBE_HOST}; {len(targets)} URLs were not checked")
        return 0
    semaphore = asyncio.Semaphore(CONCURRENCY)
    client_timeout = aiohttp.ClientTimeout(total=seconds)
    headers = {"User-Agent": "pixbot-link-check/1.0"}
    async with aiohttp.ClientSession(timeout=client_timeout, headers=headers) as session:

        async def check(url: str) -> tuple[str, str | None]:
            async with semaphore:
                try:
                    async with session.get(url, allow_redirects=True) as response:
                        if response.status >= 400:
                            return url, f"HTTP {response.status}"
                except (aiohttp.ClientError, TimeoutError) as error:
                    return url, type(error).__name__
            return url, None

        results = await asyncio.gather(*(check(url) for url in targets))
    broken = [(url, problem) for url, problem in results if problem]
    _report(broken, targets)
    print(f"{len(targets) - len(broken)} of {len(targets)} URLs answered")
    return 1 if broken else 0


def _report(broken: Iterable[tuple[str, str | None]], targets: dict[str, list[str]]) -> None:
    for url, problem in broken:
        print(f"{problem}: {url} (used by {', '.join(targets[url])})", file=sys.stderr)
