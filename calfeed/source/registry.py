"""The npm registry the machine is configured for: bangumi-data's versions and archives.

The registry's address is npm's own setting (`npm config get registry`, so a mirror set
in .npmrc is used), read once per process; the documents are fetched with urllib (a bounded
read with a timeout, no node process per check). Network faults become RegistryError.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from .archive import MAX_ARCHIVE
from .datasets import DatasetRefused, parse_time, version_key

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
PACKAGE = "bangumi-data"
TIMEOUT = 30                        # seconds for each request
MAX_DOCUMENT = 32 * 1024 * 1024     # bytes of the package document (0.3.208: about 50 KB)


class RegistryError(OSError):
    """The registry could not be asked (network, status, a document that is not JSON)."""


@dataclass(frozen=True)
class Release:
    """One published version: where its archive is, its integrity, when it was published."""

    version: str
    tarball: str
    integrity: str
    published: datetime | None


@lru_cache(maxsize=1)
def registry_url() -> str:
    """npm's configured registry, with a trailing slash; npm's default without npm."""
    npm = shutil.which("npm")
    if npm:
        try:
            found = subprocess.run([npm, "config", "get", "registry"], capture_output=True,
                                   text=True, timeout=30).stdout.strip()
            if found.startswith(("http://", "https://")):
                return found.rstrip("/") + "/"
        except (OSError, subprocess.SubprocessError):
            pass
    return DEFAULT_REGISTRY


def fetch(url: str, limit: int) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "calfeed dataset update",
                                                   "Accept": "application/json, */*"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data = response.read(limit + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RegistryError(f"cannot reach {url}: {exc}") from None
    if len(data) > limit:
        raise RegistryError(f"{url} sent more than {limit:,} bytes")
    return data


def release(version: str | None = None, registry: str | None = None) -> Release:
    """The newest version's release (dist-tags latest), or `version`'s."""
    base = registry or registry_url()
    url = f"{base}{PACKAGE}"
    try:
        document = json.loads(fetch(url, MAX_DOCUMENT))
        versions = document["versions"]
        wanted = version or document["dist-tags"]["latest"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryError(f"{url} is not an npm package document ({exc})") from None
    if wanted not in versions:
        near = sorted(versions, key=version_key)[-5:]
        raise DatasetRefused(f"{PACKAGE} {wanted} is not published on {base} (the newest: "
                             f"{', '.join(near)})")
    dist = versions[wanted].get("dist") or {}
    if not dist.get("tarball"):
        raise RegistryError(f"{url}: version {wanted} names no archive")
    return Release(wanted, dist["tarball"], dist.get("integrity", ""),
                   parse_time((document.get("time") or {}).get(wanted)))


def archive(found: Release) -> bytes:
    return fetch(found.tarball, MAX_ARCHIVE)
