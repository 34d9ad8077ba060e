"""A full disk, a file size limit and a read-only file system: a clear error, nothing lost.

Each write runs in a child process (tests/indexer/diskchild.py). The file size limit is
RLIMIT_FSIZE; the full disk and the read-only file system are a small tmpfs that the test mounts
in a mount namespace of its own (`unshare`), where no root is needed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

CHILD = [sys.executable, str(REPO / "tests" / "indexer" / "diskchild.py")]
ARTICLES = 240
BATCH = 20
AGAIN = "run the same command again"


def _namespaces_work() -> bool:
    """Return whether this machine lets an unprivileged process mount a tmpfs of its own."""
    if shutil.which("unshare") is None:
        return False
    probe = ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"]
    return subprocess.run(probe, capture_output=True).returncode == 0


needs_namespaces = pytest.mark.skipif(
    not _namespaces_work(), reason="needs `unshare -rm` (user and mount namespaces)"
)


def _child(*args: object) -> dict:
    """Run one step of diskchild.py and return what it reported."""
    out = subprocess.run(
        [*CHILD, *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _in_tmpfs(mount: Path, steps: list[str]) -> list[dict]:
    """Run diskchild.py steps (argument strings) in a mount namespace with a small tmpfs on
    `mount`; between steps, a step "remount OPTIONS" remounts it. Return each step's report."""
    child = " ".join(CHILD)
    script = ["set -e", f"mount -t tmpfs -o size=2m tmpfs {mount}"]
    for step in steps:
        if step.startswith("remount "):
            script.append(f"mount -o remount,{step.split()[1]} tmpfs {mount}")
        else:
            script.append(f"PYTHONPATH={REPO} {child} {step}")
    out = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "\n".join(script)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def _assert_whole(report: dict, committed: list[int]) -> None:
    """Assert every committed article is found, and the store and the index agree."""
    assert set(committed) <= set(report["found"])
    assert report["stored"] >= len(committed)
    assert report["indexed"] == report["stored"]


def test_a_file_size_limit_fails_clearly_and_keeps_every_committed_article(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "archive"
    before = _child("fill", archive, 0, BATCH, BATCH)
    limit = max(path.stat().st_size for path in archive.rglob("*") if path.is_file())

    failed = _child("fill-limited", archive, limit + 150_000, BATCH, ARTICLES, BATCH)

    assert failed["error"] == "ArchiveWriteError"
    assert "ulimit -f" in failed["message"] or "file size limit" in failed["message"]
    assert AGAIN in failed["message"]
    committed = before["committed"] + failed["committed"]
    assert len(committed) < ARTICLES  # the limit was reached
    after = _child("check", archive, ARTICLES)
    assert set(committed) <= set(after["found"])

    rerun = _child("fill", archive, 0, ARTICLES, BATCH)
    assert rerun["error"] is None
    report = _child("check", archive, ARTICLES)
    assert report["found"] == list(range(ARTICLES))
    assert report["stored"] == report["indexed"] == ARTICLES


@needs_namespaces
def test_a_full_disk_fails_clearly_and_the_same_command_finishes_once_there_is_room(
    tmp_path: Path,
) -> None:
    mount = tmp_path / "disk"
    mount.mkdir()
    archive = mount / "archive"
    full, after, rerun, report = _in_tmpfs(
        mount,
        [
            f"fill {archive} 0 {ARTICLES} {BATCH}",
            f"check {archive} {ARTICLES}",
            "remount size=64m",
            f"fill {archive} 0 {ARTICLES} {BATCH}",
            f"check {archive} {ARTICLES}",
        ],
    )

    assert full["error"] == "ArchiveWriteError"
    assert "disk is full" in full["message"] or "full disk" in full["message"]
    assert AGAIN in full["message"]
    assert 0 < len(full["committed"]) < ARTICLES
    assert set(full["committed"]) <= set(after["found"])
    assert rerun["error"] is None
    assert report["found"] == list(range(ARTICLES))
    assert report["stored"] == report["indexed"] == ARTICLES


@needs_namespaces
def test_a_read_only_file_system_refuses_writes_clearly_and_still_answers_searches(
    tmp_path: Path,
) -> None:
    mount = tmp_path / "disk"
    mount.mkdir()
    archive = mount / "archive"
    written, refused, report = _in_tmpfs(
        mount,
        [
            f"fill {archive} 0 {BATCH * 2} {BATCH}",
            "remount ro",
            f"fill {archive} {BATCH * 2} {BATCH * 3} {BATCH}",
            f"check {archive} {BATCH * 3}",
        ],
    )

    assert written["error"] is None
    assert refused["error"] == "ArchiveWriteError"
    assert "read-only" in refused["message"] and "writable" in refused["message"]
    assert refused["committed"] == []
    assert report["found"] == list(range(BATCH * 2))
    assert report["stored"] == report["indexed"] == BATCH * 2
