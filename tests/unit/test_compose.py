"""docker-compose.yml wires the real parts: Postgres, NATS JetStream, MinIO, Mailpit and one
image for the five services. (No Docker engine runs here, but a compose client must accept the file:
`make test` installs Debian's docker-compose when no client is there.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parent.parent.parent
APPS = {"registry": "services.registry", "intake": "services.intake", "review": "services.review",
        "notify": "services.notify", "gateway": "gateway"}  # fmt: skip


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_every_part_is_there_and_the_apps_share_one_image() -> None:
    services = compose()["services"]
    parts = {"postgres", "nats", "minio", "minio-bucket", "mailpit", "prometheus", "grafana"}
    assert parts | set(APPS) <= set(services)
    images = {services[name]["image"] for name in APPS}
    assert images == {"open-call-portal:local"}
    for name, module in APPS.items():
        assert services[name]["build"]["dockerfile"] == "infra/Dockerfile"
        assert services[name]["command"] == ["python", "-m", module]
        assert "healthcheck" in services[name]


def test_every_image_names_a_release() -> None:
    """No :latest and no bare name (which means :latest): a pull gets what was tested."""
    for name, service in compose()["services"].items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} names no tag"
        assert tag != "latest", f"{name}: {image}"


def test_postgres_is_healthy_only_once_its_databases_exist() -> None:
    postgres = compose()["services"]["postgres"]
    # The init SQL runs on a server that listens on the Unix socket only: ask over TCP, for
    # a database the init SQL creates.
    check = postgres["healthcheck"]["test"][1]
    assert "-h 127.0.0.1" in check and "-d gateway" in check
    assert "CREATE DATABASE gateway;" in (ROOT / "infra" / "postgres-init.sql").read_text()
    # PostgreSQL 18+ images keep data in a per-version folder below /var/lib/postgresql.
    major = int(postgres["image"].split(":")[1].split(".")[0])
    data = next(v for v in postgres["volumes"] if v.startswith("postgres-data:"))
    assert data == ("postgres-data:/var/lib/postgresql" if major >= 18
                    else "postgres-data:/var/lib/postgresql/data")  # fmt: skip


def test_each_service_has_its_own_database() -> None:
    services = compose()["services"]
    for name in APPS:
        url = services[name]["environment"][f"{name.upper()}_DATABASE_URL"]
        assert url.endswith(f"@postgres:5432/{name}")
    init = (ROOT / "infra" / "postgres-init.sql").read_text()
    assert all(f"CREATE DATABASE {name};" in init for name in APPS)


def test_nats_persists_and_syncs_every_write() -> None:
    nats = compose()["services"]["nats"]
    assert any(v.startswith("nats-data:") for v in nats["volumes"])
    config = (ROOT / "infra" / "nats.conf").read_text()
    assert "sync_interval: always" in config
    # Every client presents the token; the server and the apps take it from the environment.
    assert "token: $PORTAL_NATS_TOKEN" in config
    assert nats["environment"]["PORTAL_NATS_TOKEN"] == "${PORTAL_NATS_TOKEN:?set PORTAL_NATS_TOKEN}"
    for name in APPS:
        assert "PORTAL_NATS_TOKEN" in compose()["services"][name]["environment"], name
    # The healthcheck runs wget, which only the alpine variant of the image has.
    assert nats["healthcheck"]["test"][1] == "wget" and nats["image"].endswith("-alpine")


def test_no_demo_accounts_unless_asked_and_a_first_admin_from_the_environment() -> None:
    services = compose()["services"]
    assert services["gateway"]["environment"]["GATEWAY_SEED_DEMO_ACCOUNTS"].endswith(":-false}")
    assert services["registry"]["environment"]["REGISTRY_SEED_DEMO_CALL"].endswith(":-false}")
    assert "GATEWAY_ADMIN_EMAIL" in services["gateway"]["environment"]


def test_intake_stores_files_in_minio_once_the_bucket_exists() -> None:
    intake = compose()["services"]["intake"]
    assert intake["environment"]["INTAKE_STORE_BACKEND"] == "minio"
    assert intake["depends_on"]["minio-bucket"]["condition"] == "service_completed_successfully"
    gateway = compose()["services"]["gateway"]
    assert set(gateway["depends_on"]) >= {"registry", "intake", "review"}
    assert gateway["ports"] == ["8000:8000"]


def test_notify_sends_to_mailpit_and_the_gateway_reaches_notify() -> None:
    services = compose()["services"]
    notify, gateway, mailpit = services["notify"], services["gateway"], services["mailpit"]
    assert mailpit["image"].startswith("axllent/mailpit:")
    assert mailpit["ports"] == ["8025:8025"] and "healthcheck" in mailpit
    assert notify["environment"]["NOTIFY_SMTP_HOST"] == "${SMTP_HOST:-mailpit}"
    assert notify["environment"]["NOTIFY_SMTP_PORT"] == "${SMTP_PORT:-1025}"
    assert notify["depends_on"]["mailpit"]["condition"] == "service_healthy"
    assert gateway["environment"]["GATEWAY_NOTIFY_URL"] == "http://notify:8004"
    # Links in mails and the gateway's own links name the same address.
    public = notify["environment"]["NOTIFY_PUBLIC_URL"]
    assert public == gateway["environment"]["GATEWAY_PUBLIC_URL"]
    assert gateway["depends_on"]["notify"]["condition"] == "service_healthy"


def test_prometheus_scrapes_every_process_and_grafana_shows_it() -> None:
    services = compose()["services"]
    prometheus, grafana = services["prometheus"], services["grafana"]
    config = ROOT / "infra" / "prometheus" / "prometheus.yml"
    mounted = f"./{config.relative_to(ROOT)}:/etc/prometheus/prometheus.yml:ro"
    assert mounted in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    scrape = yaml.safe_load(config.read_text())["scrape_configs"]
    targets = {t for job in scrape for group in job["static_configs"] for t in group["targets"]}
    # Each target is a compose service on the port it listens on; each process is scraped.
    for target in targets:
        host, port = target.split(":")
        assert host in services, target
        assert services[host]["environment"][f"{host.upper()}_PORT"] == port, target
    assert {t.split(":")[0] for t in targets} == set(APPS)
    assert all(job.get("metrics_path", "/metrics") == "/metrics" for job in scrape)
    assert set(prometheus["depends_on"]) == set(APPS)

    provisioning = ROOT / "infra" / "grafana" / "provisioning"
    mounts = {v.split(":")[1]: ROOT / v.split(":")[0] for v in grafana["volumes"] if v[0] == "."}
    assert mounts["/etc/grafana/provisioning"] == ROOT / "./infra/grafana/provisioning"
    source = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    datasource = source["datasources"][0]
    assert datasource["url"] == "http://prometheus:9090" and datasource["type"] == "prometheus"
    provider = yaml.safe_load((provisioning / "dashboards" / "portal.yml").read_text())
    dashboards = mounts[provider["providers"][0]["options"]["path"]]
    dashboard = json.loads((dashboards / "portal.json").read_text())
    expressions = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    assert all(t["datasource"]["uid"] == datasource["uid"]
               for p in dashboard["panels"] for t in p["targets"])  # fmt: skip
    for metric in ("portal_requests_total", "portal_request_duration_seconds_bucket",
                   "portal_requests_error_total", "portal_outbox_unpublished_events",
                   "portal_outbox_oldest_unpublished_age_seconds",
                   "portal_consumer_pending_messages", "portal_dead_letter_messages",
                   "portal_mail_unsent"):  # fmt: skip
        assert metric in expressions, metric


REQUIRED = ("PORTAL_INTERNAL_SECRET", "PORTAL_NATS_TOKEN", "GATEWAY_JWT_SECRET", "INTAKE_LINK_SECRET",
            "PORTAL_ADMIN_EMAIL", "PORTAL_ADMIN_PASSWORD", "POSTGRES_PASSWORD",
            "MINIO_ROOT_PASSWORD", "GRAFANA_ADMIN_PASSWORD")  # fmt: skip


def test_no_password_or_secret_has_a_default() -> None:
    """A default would be public (it is in this file), and MinIO is published on 9000."""
    text = (ROOT / "docker-compose.yml").read_text()
    secret = r"\w*(?:PASSWORD|SECRET|TOKEN)\w*"
    assert re.findall(rf"\$\{{({secret}):-", text) == []
    required = set(re.findall(rf"\$\{{({secret}):\?", text))
    assert required == {n for n in REQUIRED if re.fullmatch(secret, n)}


def test_a_compose_client_accepts_the_file() -> None:
    env = {**os.environ, **{name: "set" for name in REQUIRED}}
    commands = []
    if shutil.which("docker-compose"):
        commands.append(["docker-compose", "config", "--quiet"])
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        commands.append([docker, "compose", "config", "--quiet"])
    assert commands, "no compose client: `make test` installs Debian's docker-compose"
    for command in commands:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    # Without each secret it must refuse to start rather than run with a default.
    for command in commands:
        for name in REQUIRED:
            bare = {k: v for k, v in env.items() if k != name}
            refused = subprocess.run(command, cwd=ROOT, env=bare, capture_output=True, text=True)
            assert refused.returncode != 0
            assert name in refused.stderr + refused.stdout
