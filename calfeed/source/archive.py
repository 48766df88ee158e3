"""A package archive (.tgz) checked against its published integrity, then unpacked safely.

The archive comes from a registry or a file an operator hands over: nothing in it is trusted
until its sha512 matches the registry's `dist.integrity`, and even then it is unpacked member
by member with bounds, since a registry (or a mirror) can be wrong: regular files and folders
only, under `package/`, no absolute path or `..`, no link, each member and the whole bounded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from .datasets import DatasetRefused

MAX_ARCHIVE = 64 * 1024 * 1024       # bytes of .tgz (bangumi-data 0.3.208: 1.4 MB)
MAX_MEMBER = 128 * 1024 * 1024       # bytes of one unpacked file (its data.json: 7.3 MB)
MAX_TOTAL = 256 * 1024 * 1024        # bytes unpacked in all
MAX_MEMBERS = 1000                   # files and folders (0.3.208: 4)
NEEDED = ("package/package.json", "package/dist/data.json")


def integrity_of(data: bytes) -> str:
    """The Subresource Integrity string npm publishes: sha512-<base64 of the digest>."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def check_integrity(data: bytes, expected: str, what: str) -> None:
    """Refuse `data` unless its sha512 is the one `expected` names (an SRI string; npm may list
    several hashes separated by spaces, of which the sha512 is the one checked)."""
    wanted = [part for part in expected.split() if part.startswith("sha512-")]
    if not wanted:
        raise DatasetRefused(f"{what}: the registry publishes no sha512 integrity "
                             f"({expected!r}); refusing an archive that cannot be checked")
    actual = integrity_of(data)
    if not any(hmac.compare_digest(actual, w) for w in wanted):
        raise DatasetRefused(f"{what}: the archive's sha512 ({actual[:24]}…) is not the "
                             f"registry's ({wanted[0][:24]}…): it was altered or cut short; "
                             "nothing was unpacked. Download it again (npm pack bangumi-data@"
                             "VERSION) or try later")


def unpack(data: bytes, into: Path, what: str) -> None:
    """Unpack an npm package archive into `into` (which must not exist yet): `package/…`
    members only, regular files and folders, within the bounds; DatasetRefused otherwise,
    naming the member."""
    if len(data) > MAX_ARCHIVE:
        raise DatasetRefused(f"{what}: {len(data):,} bytes is over the {MAX_ARCHIVE:,} an "
                             "archive may have")
    into.mkdir(parents=True)
    total = members = 0
    try:
        # Decompressed whole first: the gzip trailer's CRC is checked only at the end of the
        # stream, and tarfile takes a damaged header after the first member for the end of
        # the archive, so a damaged file would otherwise unpack in part without a word.
        with tarfile.open(fileobj=io.BytesIO(_gunzip(data, what)), mode="r:") as archive:
            for member in archive:
                members += 1
                if members > MAX_MEMBERS:
                    raise DatasetRefused(f"{what}: more than {MAX_MEMBERS} members")
                target = _target(member, into, what)
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                total += member.size
                if member.size > MAX_MEMBER or total > MAX_TOTAL:
                    raise DatasetRefused(f"{what}: member {member.name!r} unpacks past the bound "
                                         f"({MAX_MEMBER:,} bytes a file, {MAX_TOTAL:,} in all)")
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                with open(target, "wb") as out:
                    # Copied in blocks and counted, not trusting the header's size.
                    written = 0
                    while block := source.read(1 << 20):
                        written += len(block)
                        if written > member.size:
                            raise DatasetRefused(f"{what}: member {member.name!r} is longer "
                                                 "than its header says")
                        out.write(block)
    except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
        raise DatasetRefused(f"{what}: the archive does not unpack ({type(exc).__name__}: "
                             f"{exc}); it is not an npm package archive, or it is damaged") \
            from None
    missing = [name for name in NEEDED if not (into / name).is_file()]
    if missing:
        raise DatasetRefused(f"{what}: the archive has no {', '.join(missing)}: it is not a "
                             "bangumi-data package")


def _gunzip(data: bytes, what: str) -> bytes:
    """The archive decompressed and its CRC checked, bounded by MAX_TOTAL and tar's headers."""
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    # Each member has a 512-byte header and is padded to 512: room for MAX_MEMBERS of them.
    bound = MAX_TOTAL + 1024 * (MAX_MEMBERS + 2)
    out = stream.decompress(data, bound)
    if stream.unconsumed_tail:
        raise DatasetRefused(f"{what}: the archive unpacks past {bound:,} bytes")
    if not stream.eof:
        raise zlib.error("the compressed stream is cut short")
    return out


def _target(member: tarfile.TarInfo, into: Path, what: str) -> Path:
    name = PurePosixPath(member.name)
    if not (member.isfile() or member.isdir()):
        raise DatasetRefused(f"{what}: member {member.name!r} is a link or a device; a "
                             "package holds files and folders only")
    if name.is_absolute() or ".." in name.parts or not name.parts or name.parts[0] != "package":
        raise DatasetRefused(f"{what}: member {member.name!r} would be written outside the "
                             "package folder")
    return into.joinpath(*name.parts)
