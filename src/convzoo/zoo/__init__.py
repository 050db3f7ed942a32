"""The model zoo: ``create_model(name, num_classes, in_channels, **kw)`` and ``list_models()``.

Each family lives in its own module and registers its builders on import.
"""

from . import lenet, resnet_cifar  # noqa: F401  (registration on import)
from .registry import create_model, list_models, register  # noqa: F401
