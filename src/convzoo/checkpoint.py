"""Checkpoints: model, optimizer and scheduler state in one ``.npz``, written atomically.

Arrays are stored as npz entries under flattened keys (``model/features.0.weight``,
``optim/state/0/momentum_buffer``); everything else (step counts, hyperparameters,
the run's config) goes into one JSON entry. Loading never unpickles anything.
A checkpoint is written to a temporary file in the same directory and renamed
over the target, so a run killed mid-write leaves the previous checkpoint intact.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np

_META = "__meta__.json"


def _flatten(tree, prefix: str, arrays: dict):
    """Split a nested dict/list tree into npz arrays and a JSON-able skeleton."""
    if isinstance(tree, np.ndarray):
        arrays[prefix] = tree
        return {"__array__": prefix}
    if isinstance(tree, dict):
        return {"__dict__": [[_key(k), _flatten(v, f"{prefix}/{k}", arrays)]
                             for k, v in tree.items()]}
    if isinstance(tree, (list, tuple)):
        return {"__list__": [_flatten(v, f"{prefix}/{i}", arrays) for i, v in enumerate(tree)],
                "tuple": isinstance(tree, tuple)}
    if isinstance(tree, np.generic):
        return tree.item()
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    raise TypeError(f"cannot store {type(tree).__name__} in a checkpoint (at {prefix})")


def _key(k):
    if isinstance(k, (bool, int, str)) or k is None:
        return {"int": k} if isinstance(k, int) and not isinstance(k, bool) else k
    raise TypeError(f"checkpoint dict keys must be str or int; got {k!r}")


def _unflatten(node, arrays):
    if isinstance(node, dict):
        if "__array__" in node:
            return arrays[node["__array__"]]
        if "__dict__" in node:
            return {(k["int"] if isinstance(k, dict) else k): _unflatten(v, arrays)
                    for k, v in node["__dict__"]}
        if "__list__" in node:
            items = [_unflatten(v, arrays) for v in node["__list__"]]
            return tuple(items) if node.get("tuple") else items
    return node


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and ``os.replace`` (all or nothing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_checkpoint(path, state: dict) -> None:
    """Save a nested dict of arrays and plain values (e.g. ``{'model': sd, 'epoch': 3}``)."""
    arrays: dict[str, np.ndarray] = {}
    skeleton = _flatten(state, "", arrays)
    # entry names are positional ("a0", "a1", ...); the skeleton maps tree paths to them
    index = {name: f"a{i}" for i, name in enumerate(arrays)}
    buffer = io.BytesIO()
    np.savez(buffer, **{_META: np.frombuffer(json.dumps({"tree": skeleton, "index": index})
                                             .encode(), dtype=np.uint8)},
             **{index[name]: a for name, a in arrays.items()})
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path) -> dict:
    """Load what ``save_checkpoint`` wrote.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a convzoo checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z[_META]).decode())
            arrays = {name: z[key] for name, key in meta["index"].items()}
    except (KeyError, ValueError, OSError) as e:
        raise ValueError(f"{path} is not a convzoo checkpoint ({e})") from e
    return _unflatten(meta["tree"], arrays)
