"""The model registry: ``register`` a builder under a lowercase name, ``create_model`` by name."""

from __future__ import annotations

from collections.abc import Callable

_MODELS: dict[str, Callable] = {}


def register(name: str | None = None):
    """Decorator registering a model builder ``fn(num_classes, in_channels, **kw) -> Module``."""
    def wrap(fn):
        key = (name or fn.__name__).lower()
        if key in _MODELS:
            raise ValueError(f"model {key!r} is already registered")
        _MODELS[key] = fn
        return fn
    return wrap


def list_models() -> list[str]:
    """Names of every registered model, sorted.

    >>> 'lenet5' in list_models()
    True
    """
    return sorted(_MODELS)


def create_model(name: str, num_classes: int = 1000, in_channels: int = 3, **kw):
    """Build a registered model.

    Args:
        name: e.g. ``'lenet5'``, ``'resnet50'`` (see ``list_models()``).
        num_classes: size of the classifier output.
        in_channels: image channels (1 for MNIST-style data).
        **kw: the family's width/depth options and ``rng`` (Generator or int seed).

    Raises:
        ValueError: unknown name (the message lists the known ones).

    >>> create_model('lenet5', num_classes=10, in_channels=1, rng=0).num_parameters()
    61706
    """
    key = str(name).lower()
    if key not in _MODELS:
        raise ValueError(f"unknown model; got name={name!r}; "
                         f"known models: {', '.join(list_models())}")
    return _MODELS[key](num_classes=num_classes, in_channels=in_channels, **kw)
