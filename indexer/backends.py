"""Which search backend an archive uses: the embedded Whoosh index (the default) or a
Typesense cluster, chosen by arguments or by environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from indexer.errors import BackendUnavailableError

BACKENDS = ("whoosh", "typesense")
ENV_BACKEND = "NEWSARCHIVE_BACKEND"
ENV_NODES = "NEWSARCHIVE_TYPESENSE_NODES"
ENV_API_KEY = "NEWSARCHIVE_TYPESENSE_API_KEY"
ENV_COLLECTION = "NEWSARCHIVE_TYPESENSE_COLLECTION"
DEFAULT_COLLECTION = "newsarchive"


@dataclass(frozen=True)
class Backend:
    """A search backend: its kind and, for Typesense, the cluster's nodes, API key and the
    collection (one per archive, so that several archives can share a cluster)."""

    kind: str = "whoosh"
    nodes: tuple[str, ...] = ()
    api_key: str = ""
    collection: str = DEFAULT_COLLECTION

    @classmethod
    def chosen(
        cls,
        kind: str | None = None,
        nodes: str | None = None,
        api_key: str | None = None,
        collection: str | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> Backend:
        """Return the backend the arguments name, else the environment's, else Whoosh."""
        kind = (kind or environ.get(ENV_BACKEND) or "whoosh").strip().lower()
        if kind not in BACKENDS:
            raise BackendUnavailableError(
                f"Unknown backend {kind!r}: use one of {', '.join(BACKENDS)}."
            )
        if kind == "whoosh":
            return cls()
        listed = nodes if nodes is not None else environ.get(ENV_NODES, "")
        found = tuple(node.strip() for node in listed.split(",") if node.strip())
        key = api_key if api_key is not None else environ.get(ENV_API_KEY, "")
        if not found or not key:
            raise BackendUnavailableError(
                "The typesense backend needs the cluster's nodes and API key: pass --nodes "
                f"host:port,host:port,... and --api-key KEY (or set {ENV_NODES} and "
                f"{ENV_API_KEY})."
            )
        name = collection or environ.get(ENV_COLLECTION) or DEFAULT_COLLECTION
        return cls(kind, found, key, name)
