"""Backup and restore: the database, the three keys (sealed with a passphrase) and the
audit head's anchor, in one archive (docs/operations.md, ADR 0012).

An archive is a tar file with three members:

- ``manifest.json``: format, engine, gridgov version, migration revision, the audit
  anchor ``SEQ:HASH`` read before the copy, and when it was made;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the server
  runs) or ``database.pgdump`` (``pg_dump`` custom format);
- ``keys.sealed``: the session, audit and field keys, AES-256-GCM under a key derived
  from the passphrase by scrypt. Without the passphrase the archive's personal data
  stays sealed; without the keys it cannot be read at all.

Restoring writes into an empty data directory (and, on PostgreSQL, an empty database),
then walks the audit chain against the archive's anchor: a restore that lost or
rewrote rows says so.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy.engine import make_url

from gridgov import __version__
from gridgov.config import Keys

FORMAT = 1
MANIFEST = "manifest.json"
KEYS = "keys.sealed"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 12


class BackupError(Exception):
    """Something a person must fix: the message says what."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    version: str
    revision: str | None
    anchor: str
    created_at: str
    database: str

    def as_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2).encode()


# ---------------------------------------------------------------- keys


def _kdf(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        passphrase.encode()
    )


def seal_keys(keys: Keys, passphrase: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"The passphrase needs at least {MIN_PASSPHRASE} characters.")
    salt, nonce = os.urandom(16), os.urandom(12)
    plain = json.dumps(
        {name: base64.urlsafe_b64encode(getattr(keys, name)).decode() for name in _NAMES}
    ).encode()
    sealed = AESGCM(_kdf(passphrase, salt)).encrypt(nonce, plain, b"gridgov-backup-keys")
    document = {
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": base64.b64encode(salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "sealed": base64.b64encode(sealed).decode(),
    }
    return json.dumps(document).encode()


def open_keys(data: bytes, passphrase: str) -> dict[str, str]:
    """The keys as url-safe base64 text, by name; BackupError for a wrong passphrase."""
    try:
        document = json.loads(data)
        salt = base64.b64decode(document["salt"])
        nonce = base64.b64decode(document["nonce"])
        sealed = base64.b64decode(document["sealed"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError("The archive's key file is damaged.") from exc
    try:
        plain = AESGCM(_kdf(passphrase, salt)).decrypt(nonce, sealed, b"gridgov-backup-keys")
    except InvalidTag as exc:
        raise BackupError("Wrong passphrase, or the archive's key file was changed.") from exc
    keys: dict[str, str] = json.loads(plain)
    return keys


_NAMES = ("session", "audit", "field")


# ---------------------------------------------------------------- backup


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools "
            "(the same major version as the server) to back up or restore PostgreSQL."
        )
    return found


def _run_pg_tool(name: str, *arguments: str) -> None:
    """Run a PostgreSQL client tool; its error output's tail becomes a ``BackupError``."""
    done = subprocess.run(  # noqa: S603 - a fixed tool with our own arguments
        [_pg_tool(name), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{name} failed: " + done.stderr.strip()[-500:])


def _copy_sqlite(url: str, target: Path) -> None:
    source_path = make_url(url).database
    if not source_path or not Path(source_path).exists():
        raise BackupError(f"No SQLite database at {source_path}.")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)  # a consistent copy, while others keep writing
    finally:
        destination.close()
        source.close()


def _dump_postgresql(url: str, target: Path) -> None:
    _run_pg_tool("pg_dump", "--format=custom", "--no-owner", "--file", str(target), _libpq_url(url))


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def make_backup(
    *, url: str, keys: Keys, passphrase: str, target: Path, anchor: str, revision: str | None
) -> Manifest:
    """Write the archive to ``target`` (through a temporary file, so a failed backup
    never leaves a half archive under the final name)."""
    sealed = seal_keys(keys, passphrase)
    engine = make_url(url).get_backend_name()
    if engine not in ("sqlite", "postgresql"):
        raise BackupError(f"Cannot back up a {engine} database.")
    member = SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER
    manifest = Manifest(
        engine=engine,
        version=__version__,
        revision=revision,
        anchor=anchor,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        database=member,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        copy = Path(scratch) / member
        if engine == "sqlite":
            _copy_sqlite(url, copy)
        else:
            _dump_postgresql(url, copy)
        partial = Path(scratch) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            _add(archive, MANIFEST, manifest.as_json())
            _add(archive, KEYS, sealed)
            archive.add(copy, arcname=member)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return manifest


# ---------------------------------------------------------------- restore


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    data = _member(archive, MANIFEST)
    try:
        document: dict[str, Any] = json.loads(data)
    except ValueError as exc:
        raise BackupError("The archive's manifest is damaged.") from exc
    if document.get("format") != FORMAT:
        raise BackupError("This archive was written by another version of gridgov's backup.")
    return Manifest(
        engine=str(document["engine"]),
        version=str(document["version"]),
        revision=document.get("revision"),
        anchor=str(document["anchor"]),
        created_at=str(document["created_at"]),
        database=str(document["database"]),
    )


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        info = archive.getmember(name)
    except KeyError as exc:
        raise BackupError(f"The archive has no {name}: it is not a gridgov backup.") from exc
    handle = archive.extractfile(info) if info.isfile() else None
    if handle is None:
        raise BackupError(f"{name} in the archive is not a file.")
    return handle.read()


def _write_secret(directory: Path, name: str, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(directory / f"{name}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")


def restore_backup(*, source: Path, data_dir: Path, url: str, passphrase: str) -> Manifest:
    """Restore into an empty data directory (its SQLite file and key files must not
    exist) or, for PostgreSQL, an empty database at ``url``."""
    try:
        archive = tarfile.open(source, "r:*")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"Cannot read {source}: {exc}") from exc
    with archive:
        manifest = read_manifest(archive)
        keys = open_keys(_member(archive, KEYS), passphrase)
        target_engine = make_url(url).get_backend_name()
        if target_engine != manifest.engine:
            raise BackupError(
                f"The archive holds a {manifest.engine} database; "
                f"GRIDGOV_DATABASE_URL names a {target_engine} one."
            )
        secrets_dir = data_dir / "secrets"
        existing = [secrets_dir / f"{n}.key" for n in _NAMES if (secrets_dir / f"{n}.key").exists()]
        if existing:
            raise BackupError(f"{existing[0]} exists: restore into an empty data directory.")
        if manifest.engine == "sqlite":
            path = Path(make_url(url).database or "")
            if path.exists():
                raise BackupError(f"{path} exists: restore into an empty data directory.")
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".restoring")
            partial.write_bytes(_member(archive, SQLITE_MEMBER))
            os.chmod(partial, 0o600)
            os.replace(partial, path)
        else:
            with tempfile.TemporaryDirectory() as scratch:
                dump = Path(scratch) / PG_MEMBER
                dump.write_bytes(_member(archive, PG_MEMBER))
                _restore_postgresql(url, dump)
        for name in _NAMES:
            _write_secret(secrets_dir, name, keys[name])
    return manifest


def _restore_postgresql(url: str, dump: Path) -> None:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        if inspect(engine).get_table_names():
            raise BackupError("The target PostgreSQL database is not empty.")
    finally:
        engine.dispose()
    _run_pg_tool(
        "pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq_url(url), str(dump)
    )
