"""A filter gallery on a real photo: hand-made kernels applied with convzoo's own conv2d.

The photo is scikit-learn's bundled ``china.jpg`` (no download), turned to grey and
downscaled with ``F.avg_pool2d``; every filtered panel is one ``F.conv2d`` call
(``padding='same'``) with a classic kernel, in the spirit of the source articles:

* Gaussian blur (5×5, σ = 1) — smoothing / denoising;
* vertical and horizontal edges (``[[1, 0, -1]] * 3`` and its transpose);
* Sobel-x as the 2-D 3×3 kernel (9 weights) next to the same kernel applied as two
  1-D passes (``factorize_kernel`` finds ``[1, 2, 1]ᵀ`` and ``[1, 0, -1]``; the passes
  are ``F.spatially_separable_conv2d``, 6 weights) and their difference (rounding only);
* dilated against dense: a dense 7×7 mean (49 weights) against a 3×3 mean with
  dilation 3 (9 weights, the same 7×7 field, with the gridding artefacts dilation
  brings), and Sobel-x with dilation 2 and 4 (coarser edges, still 9 weights).

>>> g = filter_gallery(np.tile(np.arange(12.0), (10, 1)))       # a horizontal ramp
>>> g["sobel_max_abs_diff"] < 1e-12
True
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .. import functional as F
from ..checkpoint import atomic_write_bytes
from ..ops.separable import factorize_kernel

SOBEL_X = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])
VERTICAL_EDGE = np.array([[1.0, 0, -1]] * 3)


def gaussian_kernel(size: int = 5, sigma: float = 1.0) -> np.ndarray:
    """A normalised ``size``×``size`` Gaussian kernel (float64, sums to 1)."""
    ax = np.arange(size) - (size - 1) / 2
    g = np.exp(-(ax ** 2) / (2 * sigma ** 2))
    k = np.outer(g, g)
    return k / k.sum()


def sample_photo(name: str = "china.jpg", scale: int = 3) -> np.ndarray:
    """scikit-learn's sample photo as a grey (H, W) float64 image in [0, 1], downscaled.

    Args:
        name: ``'china.jpg'`` or ``'flower.jpg'`` (bundled with scikit-learn).
        scale: downscaling factor (an average pool of ``scale``×``scale``).

    Raises:
        ImportError: scikit-learn is not installed (``pip install 'convzoo[data]'``).
    """
    try:
        from sklearn.datasets import load_sample_image
    except ImportError as err:   # pragma: no cover - depends on the environment
        raise ImportError("the filter gallery's photo comes with scikit-learn: "
                          "pip install 'convzoo[data]'") from err
    rgb = load_sample_image(name).astype(np.float64) / 255.0
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    if scale > 1:
        grey = F.avg_pool2d(grey[None, None], scale).data[0, 0]
    return grey


def _conv(x: np.ndarray, kernel: np.ndarray, dilation: int = 1) -> np.ndarray:
    return F.conv2d(x[None, None], kernel[None, None], padding="same", dilation=dilation).data[0, 0]


def filter_gallery(image=None, out=None) -> dict:
    """Apply the gallery's kernels to a grey image and (optionally) draw the figure.

    Args:
        image: (H, W) float array, or None for :func:`sample_photo`.
        out: PNG path for the figure (needs matplotlib), or None for numbers only.

    Returns:
        ``{"image", "panels": [{"name", "title", "output", "kernel", "dilation",
        "weights"}], "sobel_max_abs_diff", "sobel_factors": (column, row), "figure"}``.

    Raises:
        ValueError: image not 2-d.
    """
    x = sample_photo() if image is None else np.asarray(image, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"image must be a 2-d grey image (H, W); got image with shape {x.shape}")
    fac = factorize_kernel(SOBEL_X)
    col, row = fac.column, fac.row
    sobel_2d = _conv(x, SOBEL_X)
    sobel_sep = F.spatially_separable_conv2d(x[None, None], col.reshape(1, 1, -1, 1),
                                             row.reshape(1, 1, 1, -1), padding="same").data[0, 0]
    diff = np.abs(sobel_2d - sobel_sep)
    sobel_y = _conv(x, SOBEL_X.T)
    box7, box3 = np.full((7, 7), 1 / 49), np.full((3, 3), 1 / 9)

    def panel(name, title, output, kernel=None, dilation=1, weights=None):
        return {"name": name, "title": title, "output": output, "kernel": kernel,
                "dilation": dilation,
                "weights": weights if weights is not None else
                (None if kernel is None else int(kernel.size))}

    c_txt = ",".join(f"{v:g}" for v in col)
    r_txt = ",".join(f"{v:g}" for v in row)
    panels = [
        panel("original", f"grey photo {x.shape[0]}×{x.shape[1]}", x),
        panel("gaussian", "Gaussian blur 5×5, σ=1", _conv(x, gaussian_kernel()), gaussian_kernel()),
        panel("vertical_edge", "vertical edges [1,0,-1]×3", _conv(x, VERTICAL_EDGE), VERTICAL_EDGE),
        panel("horizontal_edge", "horizontal edges (transpose)", _conv(x, VERTICAL_EDGE.T),
              VERTICAL_EDGE.T),
        panel("sobel_2d", "Sobel-x, one 3×3 conv: 9 weights", sobel_2d, SOBEL_X),
        panel("sobel_separable", f"[{c_txt}]ᵀ then [{r_txt}]: {fac.separable_weights} weights",
              sobel_sep, fac.kernel, weights=fac.separable_weights),
        panel("sobel_difference", f"|2-D − two 1-D passes| (rounding): max {diff.max():.0e}", diff),
        panel("sobel_magnitude", "Sobel magnitude √(gx² + gy²)", np.hypot(sobel_2d, sobel_y)),
        panel("dense_mean", "dense 7×7 mean: 49 weights", _conv(x, box7), box7),
        panel("dilated_mean", "3×3 mean, dilation 3: 9 weights, 7×7 field", _conv(x, box3, 3),
              box3, 3),
        panel("sobel_dilation2", "Sobel-x, dilation 2 (5×5 field)", _conv(x, SOBEL_X, 2),
              SOBEL_X, 2),
        panel("sobel_dilation4", "Sobel-x, dilation 4 (9×9 field)", _conv(x, SOBEL_X, 4),
              SOBEL_X, 4),
    ]
    result = {"image": x, "panels": panels, "sobel_max_abs_diff": float(diff.max()),
              "sobel_factors": (col, row), "figure": None}
    if out is not None:
        result["figure"] = str(plot_gallery(panels, out))
    return result


def _dilated(kernel: np.ndarray, d: int) -> np.ndarray:
    """The kernel spread out by dilation ``d`` (NaN in the holes, drawn blank)."""
    kh, kw = kernel.shape
    spread = np.full((d * (kh - 1) + 1, d * (kw - 1) + 1), np.nan)
    spread[::d, ::d] = kernel
    return spread


def plot_gallery(panels: list[dict], path) -> Path:
    """Draw the gallery panels (3 rows of 4) with each kernel inset; write a PNG atomically."""
    from ._mpl import pyplot
    plt = pyplot()
    import matplotlib

    cols = 4
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.9 * rows), constrained_layout=True)
    for ax, p in zip(axes.flat, panels):
        out = p["output"]
        signed = p["kernel"] is not None and (p["kernel"] < 0).any()
        if signed:
            # the zero padding makes strong edges along the border: scale to the interior
            lim = float(np.percentile(np.abs(out[3:-3, 3:-3]), 99.5)) or 1.0
            ax.imshow(out, cmap="RdBu_r", vmin=-lim, vmax=lim)
        else:
            ax.imshow(out, cmap="gray")
        ax.set_title(p["title"], fontsize=9.5)
        ax.set_xticks([])
        ax.set_yticks([])
        if p["kernel"] is not None:
            k = _dilated(p["kernel"], p["dilation"])
            inset = ax.inset_axes([0.72, 0.02, 0.26, 0.26 * k.shape[0] / k.shape[1]])
            lim = float(np.nanmax(np.abs(k))) or 1.0
            cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="white")
            inset.imshow(np.ma.masked_invalid(k), cmap=cmap, vmin=-lim, vmax=lim)
            inset.set_xticks([])
            inset.set_yticks([])
            for spine in inset.spines.values():
                spine.set_edgecolor("black")
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("Hand-made kernels on a photo (convzoo F.conv2d, padding='same'); "
                 "insets: the kernel (red +, blue −)", fontsize=11)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


__all__ = ["SOBEL_X", "VERTICAL_EDGE", "filter_gallery", "gaussian_kernel", "plot_gallery",
           "sample_photo"]
