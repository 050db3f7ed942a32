"""Pictures: training curves, animations of the sliding window, filter galleries, the tour report.

``convzoo.viz.animate(...)`` draws any convolution's sliding window as a GIF (and MP4
with ffmpeg); ``convzoo.viz.presets`` has the twelve classic configurations;
``gallery``, ``featuremaps``, ``explorer`` and ``report`` make the figures and pages
of ``convzoo tour``. Pillow and matplotlib (the ``viz`` extra) are imported only when
something is drawn.
"""

from .animation import Animation, animate  # noqa: F401
from .presets import PRESETS, write_preset  # noqa: F401
