"""Public suffix and registered domain from the Public Suffix List snapshot that tldextract ships.

Never fetches: the extractor is built with no suffix-list URLs and no cache directory.
"""

from __future__ import annotations

from functools import lru_cache

import tldextract

_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False
)


@lru_cache(maxsize=65_536)
def split_domain(fqdn: str) -> tuple[str | None, str | None]:
    """``(public suffix, registered domain)`` of a name; ``None`` where the PSL does not know it."""
    result = _EXTRACT(fqdn)
    suffix = result.suffix or None
    registered = f"{result.domain}.{result.suffix}" if result.suffix and result.domain else None
    return suffix, registered


def parents(fqdn: str) -> list[str]:
    """The name and its parents, most specific first: a.b.example, b.example, example."""
    labels = fqdn.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]
