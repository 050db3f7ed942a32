"""The model zoo: ``create_model(name, num_classes, in_channels, **kw)`` and ``list_models()``.

Each family lives in its own module and registers its builders on import.
"""

from . import (  # noqa: F401  (registration on import)
    alexnet,
    densenet,
    inception,
    lenet,
    mobilefacenet,
    mobilenet,
    nin,
    resnet,
    resnet_cifar,
    senet,
    shufflenet,
    vgg,
    xception,
)
from .registry import create_model, list_models, register  # noqa: F401
