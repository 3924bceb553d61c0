"""The production compose file parses and wires its services as intended (no Docker engine here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ledger.settings import LedgerSettings
from tests.unit.test_house_rules import PACKAGES

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def test_compose_services_have_images_ports_and_healthchecks() -> None:
    """Every service is defined and healthchecked, and the API waits for a healthy DB."""
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))

    services = compose["services"]

    assert {"postgres", "api", "kafka", "publisher", "reports"} <= services.keys()
    assert all("healthcheck" in service for service in services.values())
    assert services["postgres"]["image"].startswith("postgres:")
    assert ["8000:8000"] == services["api"]["ports"]
    assert "service_healthy" == services["api"]["depends_on"]["postgres"]["condition"]
    assert "docker/Dockerfile" == services["api"]["build"]["dockerfile"]


def test_dockerfile_runs_the_web_factory_as_non_root() -> None:
    """The image runs uvicorn on the web factory (API and pages) as an unprivileged user, with
    every package of the project copied in and Chromium with Thai fonts for the PDFs."""
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\w+) ", dockerfile, flags=re.MULTILINE))

    assert "USER ledger" in dockerfile
    assert "web.main:create_web_app_from_env" in dockerfile
    assert set(PACKAGES) <= copied
    assert "chromium" in dockerfile
    assert "fonts-thai-tlwg" in dockerfile


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def test_kafka_runs_in_kraft_mode_with_a_pinned_image_and_a_healthcheck() -> None:
    """Apache Kafka is a combined KRaft broker/controller (no ZooKeeper), pinned and checked."""
    services = _compose()["services"]
    kafka = services["kafka"]
    env = kafka["environment"]

    assert kafka["image"].startswith("apache/kafka:")
    assert not kafka["image"].endswith(":latest")
    assert {"broker", "controller"} == set(env["KAFKA_PROCESS_ROLES"].split(","))
    assert "1@kafka:29093" == env["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    assert "false" == env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]
    assert not any("zookeeper" in name for name in services)
    assert ["9092:9092"] == kafka["ports"]
    assert "kafka-broker-api-versions.sh" in " ".join(kafka["healthcheck"]["test"])


def test_publisher_and_report_workers_run_the_project_image_against_kafka() -> None:
    """The publisher and the consumer-group workers run the API's image with their commands."""
    services = _compose()["services"]
    api, publisher, reports = services["api"], services["publisher"], services["reports"]

    assert ["ledger", "publish"] == publisher["command"]
    assert ["ledger", "consume"] == reports["command"]
    for worker in (publisher, reports):
        assert api["image"] == worker["image"]
        assert "docker/Dockerfile" == worker["build"]["dockerfile"]
        assert "service_healthy" == worker["depends_on"]["kafka"]["condition"]
        assert "service_healthy" == worker["depends_on"]["postgres"]["condition"]
        assert "unless-stopped" == worker["restart"]
    assert reports["deploy"]["replicas"] >= 2


def test_workers_agree_on_topics_and_reach_the_internal_listener() -> None:
    """Publisher and workers name the same topics and partitions, on an advertised listener."""
    services = _compose()["services"]
    publisher = services["publisher"]["environment"]
    reports = services["reports"]["environment"]
    advertised = services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]

    for key in ("LEDGER_KAFKA_TOPIC", "LEDGER_KAFKA_CHECKPOINTS_TOPIC", "LEDGER_KAFKA_PARTITIONS"):
        assert publisher[key] == reports[key]
    assert publisher["LEDGER_KAFKA_TOPIC"] != publisher["LEDGER_KAFKA_CHECKPOINTS_TOPIC"]
    assert f"PLAINTEXT://{publisher['LEDGER_KAFKA_BOOTSTRAP_SERVERS']}" in advertised.split(",")
    assert "LEDGER_ANCHOR_PUBLIC_KEY" in reports["LEDGER_KAFKA_ANCHOR_PUBLIC_KEY"]
    assert "@postgres:5432/" in reports["LEDGER_KAFKA_VIEW_DATABASE_URL"]


def test_worker_healthchecks_watch_the_heartbeat_file_they_touch() -> None:
    """Each worker's healthcheck reads the heartbeat file its loop is told to touch."""
    services = _compose()["services"]

    for name in ("publisher", "reports"):
        health_file = services[name]["environment"]["LEDGER_KAFKA_HEALTH_FILE"]
        assert health_file in " ".join(services[name]["healthcheck"]["test"])


def test_every_long_running_process_of_the_ledger_has_a_service() -> None:
    """Views runner, transparency log (with the system key from a secret), scheduler of the
    daily processes, and an API of several workers: each runs the project's image, waits for
    a healthy database and is health-checked."""
    compose = _compose()
    services = compose["services"]
    commands = {name: " ".join(map(str, s.get("command", []))) for name, s in services.items()}

    assert "project catch-up --follow" in commands["views"]
    assert "transparency run" in commands["transparency"]
    assert (
        "/run/secrets/system_key"
        == services["transparency"]["environment"]["LEDGER_SYSTEM_KEY_FILE"]
    )
    assert "system_key" in compose["secrets"]
    for process in ("retirements", "certifications", "overdue"):
        assert f"ledger process {process}" in commands["scheduler"]
    assert "--workers" in services["api"]["command"]
    assert "LEDGER_SESSION_SECRET" in services["api"]["environment"]  # tokens good at every worker
    for name in ("api", "views", "transparency", "scheduler"):
        assert "healthcheck" in services[name], name
        assert "service_healthy" == services[name]["depends_on"]["postgres"]["condition"]
        assert "docker/Dockerfile" == services[name]["build"]["dockerfile"]


def test_the_deployment_serves_the_pages_with_one_request_key_for_every_worker() -> None:
    """Compose runs the web factory (API and pages) with the request key from a secret and the
    public origin, so every worker signs sign requests with the key the agents trust."""
    api = _compose()["services"]["api"]

    assert "web.main:create_web_app_from_env" in api["command"]
    assert "/run/secrets/web_request_key" == api["environment"]["LEDGER_WEB_REQUEST_KEY_FILE"]
    assert "LEDGER_WEB_ORIGIN" in api["environment"]
    assert {"web_request_key", "vault_pin"} == set(api["secrets"])
    assert "web_request_key" in _compose()["secrets"]


def test_the_vault_token_is_initialised_once_and_opened_by_the_processes_of_personal_values(
    tmp_path: Path,
) -> None:
    """SoftHSM2 in the image with its tokens on a volume; a one-shot service initialises the
    token unless its label is there; api, views and scheduler open it with the PIN from a
    secret, its shard keys with a key database of their own (a PostgreSQL on its own volume,
    not the ledger's); the processes that see commitments only (publisher, reports,
    transparency) get no PIN."""
    compose = _compose()
    services = compose["services"]
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    tokens = "/var/lib/ledger-vault/tokens"
    init = services["vault-init"]

    assert "softhsm2" in dockerfile
    assert f"directories.tokendir = {tokens}" in dockerfile
    assert "--show-slots" in init["command"][0]
    assert "--init-token" in init["command"][0]
    assert {"vault_pin", "vault_so_pin"} == set(init["secrets"])
    assert "vault-tokens" in compose["volumes"]
    assert ["vault-keydb:/var/lib/postgresql/data"] == services["vault-keys"]["volumes"]
    assert "vault-keydb" in compose["volumes"]
    for name in ("api", "views", "scheduler"):
        env = services[name]["environment"]
        assert env["LEDGER_VAULT_PKCS11_MODULE"].endswith("libsofthsm2.so"), name
        assert env["LEDGER_VAULT_TOKEN_LABEL"], name
        assert "/run/secrets/vault_pin" == env["LEDGER_VAULT_TOKEN_PIN_FILE"], name
        assert "vault_pin" in services[name]["secrets"], name
        assert f"vault-tokens:{tokens}" in services[name]["volumes"], name
        assert "@vault-keys:5432/vault_keys" in env["LEDGER_VAULT_KEY_DB"], name
        assert "service_healthy" == services[name]["depends_on"]["vault-keys"]["condition"]
        assert (
            "service_completed_successfully"
            == services[name]["depends_on"]["vault-init"]["condition"]
        )
    for name in ("publisher", "reports", "transparency"):
        assert "vault_pin" not in services[name].get("secrets", []), name
    pin = tmp_path / "pin"
    pin.write_text("246810\n", encoding="utf-8")
    assert "246810" == LedgerSettings(vault_token_pin_file=pin).vault_token_pin
