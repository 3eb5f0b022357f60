"""The reader the minio SDK pulls an upload from: a whole part per read, so the SDK copies a
part once instead of once per chunk it is made of."""

from __future__ import annotations

import threading

from shared.objectstore.s3 import _StreamReader


def test_each_read_is_the_size_asked_for_across_chunks_and_the_rest_comes_next() -> None:
    reader = _StreamReader()
    chunks = [bytes([n]) * 3 for n in range(7)]  # 21 bytes in chunks of 3

    def feed() -> None:
        for chunk in chunks:
            reader.feed(chunk)
        reader.finish()

    feeder = threading.Thread(target=feed)
    feeder.start()
    parts = [reader.read(8), reader.read(8), reader.read(8), reader.read(8)]
    feeder.join()
    assert parts == [b"".join(chunks)[:8], b"".join(chunks)[8:16], b"".join(chunks)[16:], b""]


def test_a_read_without_a_size_hands_over_one_chunk() -> None:
    reader = _StreamReader()
    reader.feed(b"abc")
    reader.feed(b"def")
    reader.finish()
    assert (reader.read(), reader.read(), reader.read()) == (b"abc", b"def", b"")
