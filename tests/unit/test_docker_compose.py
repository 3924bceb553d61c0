"""The production compose file parses and wires its services as intended (no Docker engine here)."""

from __future__ import annotations

from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def test_compose_services_have_images_ports_and_healthchecks() -> None:
    """PostgreSQL and the API are defined, healthchecked, and the API waits for a healthy DB."""
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))

    services = compose["services"]

    assert {"postgres", "api"} <= services.keys()
    assert all("healthcheck" in service for service in services.values())
    assert services["postgres"]["image"].startswith("postgres:")
    assert ["8000:8000"] == services["api"]["ports"]
    assert "service_healthy" == services["api"]["depends_on"]["postgres"]["condition"]
    assert "docker/Dockerfile" == services["api"]["build"]["dockerfile"]


def test_dockerfile_runs_the_api_factory_as_non_root() -> None:
    """The image runs uvicorn on the API factory as an unprivileged user."""
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")

    assert "USER ledger" in dockerfile
    assert "api.main:create_app_from_env" in dockerfile
