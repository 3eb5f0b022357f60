"""Every HTTP handler of the registry, one module per group of use cases."""

from __future__ import annotations

from services.registry.routes import calls, missions, programme

ROUTES = [
    programme.hubs,
    programme.hubs_without_mission,
    programme.value_chains,
    programme.strategies,
    programme.countries,
    programme.organisation_types,
    missions.missions,
    missions.create_mission,
    missions.update_mission,
    missions.challenges,
    missions.create_challenge,
    missions.update_challenge,
    calls.calls,
    calls.get_call,
    calls.create_call,
    calls.clone_call,
    calls.update_call,
    calls.publish_call,
    calls.transition_call,
]
