"""One 200 MB upload through gateway -> intake -> object store (MinIO code path, moto's S3
server), against a direct minio-SDK put of the same file to the same endpoint in the same run.
Prints the throughput ratio (goal >= 0.8), the peak RSS of gateway and intake (< 150 MB), and
the CPU seconds each process spends: on a 2-core machine the S3 endpoint (moto, itself Python)
competes with the portal for the cores, so its share explains much of the ratio.

    uv run python -m bench.upload [--mb 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from minio import Minio

from bench.harness import Client, ProcessUsage, running_portal, write_file
from infra.embedded import free_port, wait_for_port

ACCESS, SECRET, BUCKET = "bench-access", "bench-secret", "portal-attachments"


def direct_put(endpoint: str, path: Path, s3_pid: int) -> tuple[float, dict[str, float]]:
    client = Minio(endpoint, access_key=ACCESS, secret_key=SECRET, secure=False)
    if not client.bucket_exists("direct"):
        client.make_bucket("direct")
    with ProcessUsage({"s3": s3_pid, "client": os.getpid()}) as usage:
        started = time.perf_counter()
        client.fput_object("direct", "baseline.pdf", str(path), part_size=10 * 1024 * 1024)
        elapsed = time.perf_counter() - started
    return elapsed, usage.cpu_seconds


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
            baseline, direct_cpu = direct_put(endpoint, path, s3.pid)

            async def run() -> tuple[float, dict[str, str], ProcessUsage, dict[str, int]]:
                client = Client(stack)
                try:
                    token, app_id = await prepare(client, size_mb)
                    pids = {"gateway": stack.pid_of("gateway"), "intake": stack.pid_of("intake"),
                            "s3": s3.pid, "client": os.getpid()}  # fmt: skip
                    before = {n: psutil.Process(p).memory_info().rss for n, p in pids.items()}
                    with ProcessUsage(pids) as usage:
                        elapsed, result = await upload_once(client, token, app_id, path)
                    return elapsed, result, usage, before
                finally:
                    await client.close()

            elapsed, result, usage, before = asyncio.run(run())
    finally:
        s3.terminate()
        s3.wait()
    size = size_mb * 1024 * 1024
    print(f"upload of {size_mb} MB (sha256 {str(result['sha256'])[:12]}…)")
    print(f"  direct minio-SDK put : {baseline:6.2f} s  {size / baseline / 1e6:7.1f} MB/s")
    print(f"  through the portal   : {elapsed:6.2f} s  {size / elapsed / 1e6:7.1f} MB/s")
    print(f"  throughput ratio portal/direct: {baseline / elapsed:.2f} (goal >= 0.8)")
    for name in ("gateway", "intake"):
        print(
            f"  peak RSS {name:<8}: {usage.peak[name] / 1024 / 1024:6.1f} MB (goal < 150 MB;"
            f" {before[name] / 1024 / 1024:.1f} MB just before the upload)"
        )
    print("  CPU seconds, direct : " + cpu_line(direct_cpu))
    print("  CPU seconds, portal : " + cpu_line(usage.cpu_seconds))


def cpu_line(seconds: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in seconds.items())


if __name__ == "__main__":
    main()
