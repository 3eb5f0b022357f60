"""Faults in the middle of a deadline surge, on the portal as `make dev` runs it: NATS, intake
and PostgreSQL are each killed (SIGKILL) once a third of the applicants hold a receipt, and the
launcher starts each again. Not one acknowledged submission is lost or duplicated: intake holds
each once with the receipt its applicant got, its stream carries one submitted event for each,
and review holds each as version 1. Run with -s to see the figures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from bench.harness import Client
from infra.embedded import wait_for_port
from tests.fixtures.surge import Figures, count_what_arrived, new_applicants, surge
from tests.integration.test_stack import Launcher, free_stack_ports

APPLICANTS = 40


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    data = tmp_path_factory.mktemp("faults") / "data"
    running = Launcher(data, free_stack_ports(), {"PORTAL_RESTART_DELAY_SECONDS": "0.5"})
    try:
        running.wait_for_banner()
        yield running
    finally:
        running.interrupt()


@pytest.fixture(scope="module")
async def client(launcher: Launcher) -> AsyncIterator[Client]:
    applicants = Client(launcher)  # type: ignore[arg-type]  # it reads .ports and .mail_dir
    yield applicants
    await applicants.close()


def kill_and_await_the_restart(launcher: Launcher, name: str) -> None:
    launcher.kill(name)
    wait_for_port(launcher.ports[name], timeout=60)


async def surge_through(launcher: Launcher, client: Client, killed: str) -> Figures:
    applicants = await new_applicants(client, APPLICANTS)
    outage = await surge(
        client, applicants, lambda: asyncio.to_thread(kill_and_await_the_restart, launcher, killed)
    )
    nats_url = f"nats://127.0.0.1:{launcher.ports['nats']}"
    figures = await count_what_arrived(
        applicants, outage, launcher.ports["postgres"], nats_url, launcher.nats_token
    )
    print(f"\n{killed} killed mid-surge: {figures}")
    assert figures.acknowledged == APPLICANTS, figures
    assert figures.acknowledged_before_fault < APPLICANTS, "the fault struck after the surge"
    assert figures.in_intake == figures.on_stream == figures.reached_review == APPLICANTS, figures
    assert figures.duplicates == 0, figures
    restarted = f"{killed} was killed by SIGKILL; restarting in 0.5 s"
    assert any(restarted in line for line in launcher.output), launcher.output[-40:]
    return figures


async def test_nats_killed_mid_surge_loses_and_duplicates_nothing(
    launcher: Launcher, client: Client
) -> None:
    figures = await surge_through(launcher, client, "nats")
    # The outbox keeps them while NATS is away: applicants notice nothing.
    assert figures.acknowledged_during_outage > 0 and figures.retried == 0, figures


async def test_intake_killed_mid_surge_is_restarted_and_loses_and_duplicates_nothing(
    launcher: Launcher, client: Client
) -> None:
    figures = await surge_through(launcher, client, "intake")
    assert figures.retried > 0, "no applicant's submit met the outage"


async def test_postgres_killed_mid_surge_is_restarted_and_loses_and_duplicates_nothing(
    launcher: Launcher, client: Client
) -> None:
    figures = await surge_through(launcher, client, "postgres")
    assert figures.retried > 0, "no applicant's submit met the outage"
