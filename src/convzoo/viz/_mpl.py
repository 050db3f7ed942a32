"""matplotlib, headless, with a clear message when the ``viz`` extra is not installed."""

from __future__ import annotations


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed).

    Raises:
        ImportError: matplotlib is missing; the message says how to install it.
    """
    try:
        import matplotlib
    except ImportError as err:   # pragma: no cover - depends on the environment
        raise ImportError("convzoo's figures need matplotlib: pip install 'convzoo[viz]' "
                          "(or pip install -e \".[viz]\" in a checkout)") from err
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt
