"""Datasette on the evidence database: in-process, and as a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from extractor.documents import Document
from extractor.errors import ConfigError
from extractor.serve import datasette_instance
from extractor.store import open_store, save_document_evidence

TEXT = "The 2-year DFS was 81.6% and the 2-year OS was 93.3%."


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "evidence.db"
    db = open_store(path)
    survival = [
        {
            "endpoint": e,
            "timepoint_months": 24.0,
            "value_pct": v,
            "text": f"{v}%",
            "start": TEXT.index(f"{v}%"),
            "end": TEXT.index(f"{v}%") + len(f"{v}%"),
        }
        for e, v in (("DFS", 81.6), ("OS", 93.3))
    ]
    save_document_evidence(
        db,
        Document("blina", "t.txt", "Blina", TEXT),
        {"survival": survival, "extractor_version": "test"},
    )
    db.close()
    return path


def test_survival_table_json_and_metadata(db_path):
    datasette = datasette_instance(db_path)

    async def fetch() -> tuple[list, dict]:
        rows = await datasette.client.get(
            "/evidence/survival_estimates.json?_shape=array&_sort=value_pct"
        )
        metadata = await datasette.client.get("/-/metadata.json")
        return rows.json(), metadata.json()

    rows, metadata = asyncio.run(fetch())
    assert [(r["endpoint"], r["value_pct"], r["text"]) for r in rows] == [
        ("DFS", 81.6, "81.6%"),
        ("OS", 93.3, "93.3%"),
    ]
    table = metadata["databases"]["evidence"]["tables"]["survival_estimates"]
    assert "endpoint" in table["facets"]
    assert "months" in table["columns"]["timepoint_months"]


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="extractor run"):
        datasette_instance(tmp_path / "none.db")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_extractor_serve_answers_the_json_api(db_path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "extractor", "serve", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/evidence/survival_estimates.json?_shape=array"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(url, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status_code == 200
        assert sorted(r["value_pct"] for r in response.json()) == [81.6, 93.3]
        databases = httpx.get(f"http://127.0.0.1:{port}/-/databases.json", timeout=5).json()
        assert [(d["name"], d["is_mutable"]) for d in databases] == [("evidence", False)]
    finally:
        server.terminate()
        server.wait(timeout=10)
