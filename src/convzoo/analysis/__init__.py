"""Explain any model from shapes alone: per-layer shapes, parameters, MACs/FLOPs,
activation memory and receptive fields (``summary``), and conv swaps for ``convzoo compare``.

Modules: ``trace`` (run a model on placeholders, recording ops and module calls), ``cost``
(MACs/FLOPs per op and their conventions), ``rf`` (receptive fields), ``memory``
(activation memory), ``report`` (``summary`` and its table/JSON), ``swap`` (swap 3×3 convs,
time the real forward).

>>> from convzoo import nn
>>> from convzoo.analysis import summary
>>> s = summary(nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2)), (1, 32, 32))
>>> s.total_params, s.total_macs, s.receptive_field["size"]
(156, 117600, [6, 6])
"""

from .cost import Conventions  # noqa: F401
from .memory import Memory  # noqa: F401
from .report import LayerRow, Summary, summary  # noqa: F401
