"""One contract, two object stores: the filesystem (embedded mode) and MinIO's SDK against a
real S3 endpoint. Streamed puts with a size limit, reads, stats, deletes, download links."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from shared.objectstore import (
    FilesystemObjectStore,
    MinioObjectStore,
    ObjectNotFound,
    ObjectStore,
    ObjectTooLarge,
    content_disposition,
)
from tests.fixtures.s3 import S3Endpoint


@pytest.fixture(params=["filesystem", "minio"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, s3_endpoint: S3Endpoint
) -> ObjectStore:
    made: ObjectStore
    if request.param == "filesystem":
        made = FilesystemObjectStore(tmp_path / "objects", b"secret", "http://127.0.0.1:1/files")
    else:
        made = MinioObjectStore(
            endpoint=s3_endpoint.endpoint, access_key=s3_endpoint.access_key,
            secret_key=s3_endpoint.secret_key, bucket=f"b-{uuid.uuid4().hex[:12]}",
        )  # fmt: skip
    await made.ensure_bucket()
    return made


async def stream(data: bytes, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


async def read_all(store: ObjectStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.open(key)])


def leftovers(store: ObjectStore) -> list[str]:
    """Everything the store holds, including half-written files and unfinished uploads."""
    if isinstance(store, FilesystemObjectStore):
        return sorted(str(p) for p in store.root.rglob("*") if p.is_file())
    assert isinstance(store, MinioObjectStore)
    objects = [o.object_name for o in store.client.list_objects(store.bucket, recursive=True)]
    uploads = store.client._list_multipart_uploads(store.bucket).uploads
    return sorted([*objects, *(u.object_name for u in uploads)])


async def test_put_stat_open_round_trip(store: ObjectStore) -> None:
    data = os.urandom(300_000)
    stored = await store.put("a/b/file.bin", stream(data), max_size=10**6, content_type="x/y")
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await store.stat("a/b/file.bin") == stored
    assert await read_all(store, "a/b/file.bin") == data


async def test_a_large_stream_in_many_chunks(store: ObjectStore) -> None:
    data = os.urandom(12 * 1024 * 1024 + 7)  # more than one multipart part
    stored = await store.put("big", stream(data), max_size=len(data), content_type="x/y")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (await store.stat("big")).size == len(data)
    assert hashlib.sha256(await read_all(store, "big")).hexdigest() == stored.sha256


async def test_one_byte_too_many_is_refused_and_leaves_nothing(store: ObjectStore) -> None:
    data = os.urandom(11 * 1024 * 1024)
    with pytest.raises(ObjectTooLarge):
        await store.put("too-big", stream(data), max_size=len(data) - 1, content_type="x/y")
    with pytest.raises(ObjectNotFound):
        await store.stat("too-big")
    assert leftovers(store) == []


async def test_an_empty_object(store: ObjectStore) -> None:
    stored = await store.put("empty", stream(b""), max_size=10, content_type="x/y")
    assert stored.size == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert await read_all(store, "empty") == b""


async def test_delete_is_idempotent_and_missing_keys_are_reported(store: ObjectStore) -> None:
    await store.put("gone", stream(b"x"), max_size=10, content_type="x/y")
    await store.delete("gone")
    await store.delete("gone")
    with pytest.raises(ObjectNotFound):
        await store.stat("gone")
    with pytest.raises(ObjectNotFound):
        await read_all(store, "gone")


@pytest.mark.parametrize("key", ["../x", "/abs", "a/../../b", "a//b", "", "a b"])
async def test_keys_cannot_escape(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError):
        await store.put(key, stream(b"x"), max_size=10, content_type="x/y")


async def test_download_links_are_short_lived(store: ObjectStore) -> None:
    await store.put(
        "doc.pdf", stream(b"%PDF-1.7 data"), max_size=100, content_type="application/pdf"
    )
    name = "Πρόταση.pdf"
    url = await store.download_url("doc.pdf", expires=timedelta(minutes=5), filename=name)
    if isinstance(store, MinioObjectStore):
        async with httpx.AsyncClient() as http:
            response = await http.get(url)
        assert response.status_code == 200
        assert response.content == b"%PDF-1.7 data"
        assert response.headers["content-disposition"] == content_disposition(name)
        assert "filename*=UTF-8''" in response.headers["content-disposition"]
        return
    assert isinstance(store, FilesystemObjectStore)
    query = dict(part.split("=") for part in url.split("?", 1)[1].split("&"))
    expires, signature = int(query["expires"]), query["signature"]
    assert store.verify_download_link("doc.pdf", expires, signature, name)
    assert not store.verify_download_link("doc.pdf", expires, "0" * 64, name)
    assert not store.verify_download_link("other.pdf", expires, signature)
    assert not store.verify_download_link("doc.pdf", expires + 60, signature)
    # The name is part of what is signed: a link cannot be renamed.
    assert query["name"] == quote(name, safe="")
    assert store.verify_download_link("doc.pdf", expires, signature, name)
    assert not store.verify_download_link("doc.pdf", expires, signature, "other.pdf")
    stale = await store.download_url("doc.pdf", expires=timedelta(seconds=-1))
    query = dict(part.split("=") for part in stale.split("?", 1)[1].split("&"))
    assert not store.verify_download_link("doc.pdf", int(query["expires"]), query["signature"])


async def test_links_are_signed_for_the_public_address(s3_endpoint: S3Endpoint) -> None:
    """Compose names MinIO `minio:9000` inside; browsers reach it elsewhere."""
    port = s3_endpoint.endpoint.rsplit(":", 1)[1]
    store = MinioObjectStore(
        endpoint=s3_endpoint.endpoint, access_key=s3_endpoint.access_key,
        secret_key=s3_endpoint.secret_key, bucket=f"b-{uuid.uuid4().hex[:12]}",
        public_endpoint=f"localhost:{port}",
    )  # fmt: skip
    await store.ensure_bucket()
    await store.put(
        "doc.pdf", stream(b"%PDF-1.7 public"), max_size=100, content_type="application/pdf"
    )
    url = await store.download_url("doc.pdf", expires=timedelta(minutes=5))
    assert url.startswith(f"http://localhost:{port}/")
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).content == b"%PDF-1.7 public"
