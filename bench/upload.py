"""One 200 MB upload through gateway -> intake -> object store (MinIO code path, moto's S3
server), against a direct minio-SDK put of the same file to the same endpoint in the same run.
Prints the throughput ratio (goal >= 0.8) and the peak RSS of gateway and intake (< 150 MB).

    uv run python -m bench.upload [--mb 200]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from minio import Minio

from bench.harness import Client, PeakRss, running_portal, write_file
from infra.embedded import free_port, wait_for_port

ACCESS, SECRET, BUCKET = "bench-access", "bench-secret", "portal-attachments"


def direct_put(endpoint: str, path: Path) -> float:
    client = Minio(endpoint, access_key=ACCESS, secret_key=SECRET, secure=False)
    if not client.bucket_exists("direct"):
        client.make_bucket("direct")
    started = time.perf_counter()
    client.fput_object("direct", "baseline.pdf", str(path), part_size=10 * 1024 * 1024)
    return time.perf_counter() - started


async def prepare(client: Client, mb: int) -> tuple[str, str]:
    """An applicant with a draft on a call whose file question takes the whole file."""
    admin = await client.sign_in("admin@demo.portal")
    call = await client.publish_call(admin, [
        {"key": "dossier", "type": "FILE", "allowedTypes": ["pdf"], "maxCount": 1,
         "maxSizeBytes": (mb + 10) * 1024 * 1024, "labels": [{"lang": "en", "text": "Dossier"}]},
    ])  # fmt: skip
    applicant = await client.sign_up()
    return applicant, await client.start_application(applicant, call)


async def upload_once(
    client: Client, token: str, app_id: str, path: Path
) -> tuple[float, dict[str, str]]:
    started = time.perf_counter()
    with path.open("rb") as f:
        result = await client.upload(token, app_id, "dossier", "dossier.pdf", f)
    elapsed = time.perf_counter() - started
    assert result["__typename"] == "Attachment", result
    return elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    size_mb = parser.parse_args().mb
    s3_port = free_port()
    s3 = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(s3_port, 60, s3)
        endpoint = f"127.0.0.1:{s3_port}"
        env = {"INTAKE_STORE_BACKEND": "minio", "INTAKE_MINIO_ENDPOINT": endpoint,
               "INTAKE_MINIO_ACCESS_KEY": ACCESS, "INTAKE_MINIO_SECRET_KEY": SECRET,
               "INTAKE_MINIO_BUCKET": BUCKET}  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp, running_portal(env) as stack:
            path = Path(tmp) / "dossier.pdf"
            write_file(path, size_mb * 1024 * 1024)
            baseline = direct_put(endpoint, path)

            async def run() -> tuple[float, dict[str, str], dict[str, int], dict[str, int]]:
                client = Client(stack)
                try:
                    token, app_id = await prepare(client, size_mb)
                    pids = {"gateway": stack.pid_of("gateway"), "intake": stack.pid_of("intake")}
                    before = {n: psutil.Process(p).memory_info().rss for n, p in pids.items()}
                    with PeakRss(pids) as rss:
                        elapsed, result = await upload_once(client, token, app_id, path)
                    return elapsed, result, rss.peak, before
                finally:
                    await client.close()

            elapsed, result, peak, before = asyncio.run(run())
    finally:
        s3.terminate()
        s3.wait()
    size = size_mb * 1024 * 1024
    print(f"upload of {size_mb} MB (sha256 {str(result['sha256'])[:12]}…)")
    print(f"  direct minio-SDK put : {baseline:6.2f} s  {size / baseline / 1e6:7.1f} MB/s")
    print(f"  through the portal   : {elapsed:6.2f} s  {size / elapsed / 1e6:7.1f} MB/s")
    print(f"  throughput ratio portal/direct: {baseline / elapsed:.2f} (goal >= 0.8)")
    for name, value in peak.items():
        print(
            f"  peak RSS {name:<8}: {value / 1024 / 1024:6.1f} MB (goal < 150 MB;"
            f" {before[name] / 1024 / 1024:.1f} MB just before the upload)"
        )


if __name__ == "__main__":
    main()
