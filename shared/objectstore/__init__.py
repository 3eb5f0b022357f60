"""One ObjectStore interface, two implementations that pass one contract suite:
MinIO/S3 through the minio SDK (production, compose: `s3`) and the filesystem (embedded
mode: `filesystem`).

Uploads stream: bytes are counted and hashed as they pass, the size limit is enforced while
streaming, and a refused upload leaves nothing behind.
"""

from shared.objectstore.base import (
    ObjectNotFound,
    ObjectStore,
    ObjectStoreError,
    ObjectTooLarge,
    StoredObject,
    ascii_filename,
    check_key,
    content_disposition,
)
from shared.objectstore.filesystem import FilesystemObjectStore
from shared.objectstore.s3 import MinioObjectStore

__all__ = [
    "FilesystemObjectStore",
    "MinioObjectStore",
    "ObjectNotFound",
    "ObjectStore",
    "ObjectStoreError",
    "ObjectTooLarge",
    "StoredObject",
    "ascii_filename",
    "check_key",
    "content_disposition",
]
