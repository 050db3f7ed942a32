"""Side-by-side timing of the conv family: convzoo against PyTorch and ONNX Runtime on the CPU.

``run_suite`` times a fixed list of layer shapes taken from the classic networks
(``SUITE``: ResNet 3×3 and 1×1 at 56/28/14/7, a VGG 3×3, the 7×7 stride-2 stem,
MobileNet depthwise 3×3 at 112/56/14, ShuffleNet's grouped convs, a dilated 3×3,
a 4×4 stride-2 transposed conv, 3×3 stride-2 max pooling, global average pooling)
at batch 32 in float32, forward and forward+backward, and returns plain data
(``format_table`` renders it; only the CLI prints). Method:

* Every framework runs in this process on the same arrays, in two passes (convzoo,
  PyTorch, ONNX Runtime, then again), each framework's block starting with an
  untimed warm-up call; each reported time is the best of ``repeat``. On a shared
  machine only ratios measured this way mean much. ONNX Runtime's idle workers
  are told not to spin (they would slow whatever runs next).
* Forward: convzoo under ``no_grad``, PyTorch under ``torch.no_grad()``, ONNX
  Runtime on the single layer exported with ``torch.onnx.export`` (TorchScript
  exporter) to an in-memory model. Forward+backward: the layer's output gradient
  is a fixed random array; input and weight gradients are computed (PyTorch:
  ``y.backward(dy)``), gradients are reset between runs.
* FLOPs come from ``convzoo.counts`` (2·MACs; forward+backward counts 3× the
  forward for convs — input and weight gradients cost one forward each). The
  machine reference is NumPy's float32 GEMM (2048³) timed in the same run.
* Peak memory of one training step (``memory_step``): each framework in a fresh
  subprocess with glibc's mmap threshold fixed at 64 KiB (so freed arrays leave
  the resident set at once), one warm-up step, then the kernel's peak-RSS mark is
  reset (``/proc/self/clear_refs``) and the peak resident set above the resident
  set just before the step is read from ``/proc/self/status`` (VmHWM − VmRSS).
  Linux only; elsewhere the figures are ``None``.

Torch and onnxruntime are optional; without them the suite reports convzoo alone.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from . import counts
from . import functional as F
from .autograd import Tensor, no_grad


@dataclass(frozen=True)
class Case:
    """One layer of the suite (2-d, square input, per-sample shape ``(channels, size, size)``).

    Attributes:
        name: short id. label: where the shape comes from.
        kind: 'conv', 'conv_transpose', 'max_pool' or 'global_avg_pool'.
        channels, size: input channels and spatial size.
        out_channels, kernel, stride, padding, dilation, groups: the layer (convs and pools).
    """

    name: str
    label: str
    kind: str
    channels: int
    size: int
    out_channels: int = 0
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    groups: int = 1

    def input_shape(self, batch: int) -> tuple[int, int, int, int]:
        """(N, C, H, W) of the layer's input."""
        return (batch, self.channels, self.size, self.size)

    def weight_shape(self):
        """The weight's shape (PyTorch layout), or None for pools."""
        if self.kind == "conv":
            return (self.out_channels, self.channels // self.groups, self.kernel, self.kernel)
        if self.kind == "conv_transpose":
            return (self.channels, self.out_channels // self.groups, self.kernel, self.kernel)
        return None

    def count(self, batch: int) -> counts.LayerCount:
        """Params/MACs/FLOPs of the layer for ``batch`` images (``convzoo.counts``)."""
        shape = (self.channels, self.size, self.size)
        if self.kind == "conv":
            return counts.conv(shape, self.out_channels, self.kernel, self.stride, self.padding,
                               self.dilation, self.groups, bias=False, batch=batch)
        if self.kind == "conv_transpose":
            return counts.conv_transpose(shape, self.out_channels, self.kernel, self.stride,
                                         self.padding, groups=self.groups, bias=False,
                                         batch=batch)
        if self.kind == "max_pool":
            return counts.max_pool(shape, self.kernel, self.stride, self.padding, batch=batch)
        return counts.global_avg_pool(shape, batch=batch)


SUITE: tuple[Case, ...] = (
    Case("resnet_3x3_56", "ResNet 3x3 64->64 @56", "conv", 64, 56, 64, 3, 1, 1),
    Case("resnet_3x3_28", "ResNet 3x3 128->128 @28", "conv", 128, 28, 128, 3, 1, 1),
    Case("resnet_3x3_14", "ResNet 3x3 256->256 @14", "conv", 256, 14, 256, 3, 1, 1),
    Case("resnet_3x3_7", "ResNet 3x3 512->512 @7", "conv", 512, 7, 512, 3, 1, 1),
    Case("resnet_1x1_56", "ResNet-50 1x1 256->64 @56", "conv", 256, 56, 64, 1),
    Case("resnet_1x1_28", "ResNet-50 1x1 512->128 @28", "conv", 512, 28, 128, 1),
    Case("resnet_1x1_14", "ResNet-50 1x1 1024->256 @14", "conv", 1024, 14, 256, 1),
    Case("resnet_1x1_7", "ResNet-50 1x1 2048->512 @7", "conv", 2048, 7, 512, 1),
    Case("vgg_3x3_14", "VGG-16 conv5 3x3 512->512 @14", "conv", 512, 14, 512, 3, 1, 1),
    Case("stem_7x7_s2", "ResNet stem 7x7/2 3->64 @224", "conv", 3, 224, 64, 7, 2, 3),
    Case("mobilenet_dw_112", "MobileNet dw 3x3 32 @112", "conv", 32, 112, 32, 3, 1, 1, 1, 32),
    Case("mobilenet_dw_56", "MobileNet dw 3x3 128 @56", "conv", 128, 56, 128, 3, 1, 1, 1, 128),
    Case("mobilenet_dw_14", "MobileNet dw 3x3 512 @14", "conv", 512, 14, 512, 3, 1, 1, 1, 512),
    Case("shufflenet_g3_3x3", "grouped 3x3 g=3 240->240 @28", "conv", 240, 28, 240, 3, 1, 1,
         1, 3),
    Case("shufflenet_g3_1x1", "ShuffleNet g=3 1x1 240->60 @28", "conv", 240, 28, 60, 1, 1, 0,
         1, 3),
    Case("dilated_3x3", "dilated 3x3 d=2 256->256 @28", "conv", 256, 28, 256, 3, 1, 2, 2),
    Case("transposed_4x4_s2", "DCGAN convT 4x4/2 256->128 @16", "conv_transpose", 256, 16, 128,
         4, 2, 1),
    Case("maxpool_3x3_s2", "ResNet max pool 3x3/2 64 @112", "max_pool", 64, 112, 0, 3, 2, 1),
    Case("global_avgpool", "ResNet-50 global avg pool 2048 @7", "global_avg_pool", 2048, 7),
)


# --- the ops under test --------------------------------------------------------------------
def _convzoo_op(case: Case):
    if case.kind == "conv":
        return lambda x, w: F.conv2d(x, w, None, case.stride, case.padding, case.dilation,
                                     case.groups)
    if case.kind == "conv_transpose":
        return lambda x, w: F.conv_transpose2d(x, w, None, case.stride, case.padding,
                                               groups=case.groups)
    if case.kind == "max_pool":
        return lambda x, w: F.max_pool2d(x, case.kernel, case.stride, case.padding)
    return lambda x, w: F.global_avg_pool2d(x)


def _torch_module(torch, case: Case, weight):
    nn = torch.nn
    if case.kind == "conv":
        m = nn.Conv2d(case.channels, case.out_channels, case.kernel, case.stride, case.padding,
                      case.dilation, case.groups, bias=False)
    elif case.kind == "conv_transpose":
        m = nn.ConvTranspose2d(case.channels, case.out_channels, case.kernel, case.stride,
                               case.padding, groups=case.groups, bias=False)
    elif case.kind == "max_pool":
        return nn.MaxPool2d(case.kernel, case.stride, case.padding)
    else:
        return nn.AdaptiveAvgPool2d(1)
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(weight))
    return m


def _torch_op(torch, case: Case):
    f = torch.nn.functional
    if case.kind == "conv":
        return lambda x, w: f.conv2d(x, w, None, case.stride, case.padding, case.dilation,
                                     case.groups)
    if case.kind == "conv_transpose":
        return lambda x, w: f.conv_transpose2d(x, w, None, case.stride, case.padding,
                                               groups=case.groups)
    if case.kind == "max_pool":
        return lambda x, w: f.max_pool2d(x, case.kernel, case.stride, case.padding)
    return lambda x, w: f.adaptive_avg_pool2d(x, 1)


def _onnx_session(torch, ort, case: Case, x: np.ndarray, weight):
    """An ONNX Runtime session running the single layer (exported in memory)."""
    module = _torch_module(torch, case, weight).eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.from_numpy(x),), buffer, dynamo=False,
                          input_names=["x"], output_names=["y"], opset_version=17)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    # idle workers sleep instead of spinning on the cores the next framework needs
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.intra_op_num_threads = torch.get_num_threads()
    session = ort.InferenceSession(buffer.getvalue(), options,
                                   providers=["CPUExecutionProvider"])
    return lambda: session.run(None, {"x": x})[0]


def _optional(name: str):
    try:
        return __import__(name)
    except ImportError:
        return None


# --- timing ----------------------------------------------------------------------------------
def _best(runs: dict, repeat: int) -> dict:
    """Best seconds per name: two passes over the frameworks, each a warm-up call and then
    about ``repeat / 2`` timed calls of one framework before the next one starts.

    Blocks, not call-by-call interleaving: thread pools that spin after their work
    (OpenMP, ONNX Runtime) would otherwise steal the cores of whichever framework runs
    next; the untimed warm-up call of each block absorbs that tail. Two passes still
    expose every framework to the same stretch of machine load.
    """
    best = {name: math.inf for name in runs}
    first = (repeat + 1) // 2
    for count in (first, repeat - first):
        for name, fn in runs.items():
            fn()
            for _ in range(count):
                start = time.perf_counter()
                fn()
                best[name] = min(best[name], time.perf_counter() - start)
    return best


def sgemm_gflops(repeat: int = 5, size: int = 2048) -> float:
    """NumPy float32 ``size³`` matrix product, GFLOP/s (best of ``repeat``): the machine's roof.

    >>> sgemm_gflops(repeat=1, size=64) > 0
    True
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty((size, size), dtype=np.float32)
    seconds = _best({"gemm": lambda: np.matmul(a, b, out=out)}, repeat)["gemm"]
    return 2 * size**3 / seconds / 1e9


def time_case(case: Case, batch: int, repeat: int, torch=None, ort=None, seed: int = 0) -> dict:
    """Time one layer in every available framework; returns the row ``run_suite`` reports.

    Args:
        case: the layer. batch: N. repeat: timed runs per measurement (best is kept).
        torch, ort: the imported modules, or None to skip that framework.

    Returns:
        dict with ``name``, ``label``, ``flops`` (forward), seconds per framework and pass
        (``convzoo_fwd``, ``torch_fwd``, ``onnx_fwd``, ``convzoo_fwdbwd``, ``torch_fwdbwd``;
        None when skipped), ratios and GFLOP/s, and ``max_rel_diff`` of the forward
        output against PyTorch's.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(case.input_shape(batch), dtype=np.float32)
    wshape = case.weight_shape()
    w = None
    if wshape is not None:
        fan_in = math.prod(wshape[1:])
        w = (rng.standard_normal(wshape, dtype=np.float32) / np.float32(math.sqrt(fan_in)))
    op = _convzoo_op(case)
    with no_grad():
        y = op(x, w).data
    dy = rng.standard_normal(y.shape, dtype=np.float32)
    flops = case.count(batch).flops
    train_flops = 3 * flops if wshape is not None else 2 * flops

    xt = Tensor(x, requires_grad=True)
    wt = None if w is None else Tensor(w, requires_grad=True)

    def cz_fwd():
        with no_grad():
            op(x, w)

    def cz_fwdbwd():
        xt.grad = None
        if wt is not None:
            wt.grad = None
        op(xt, wt).backward(dy)

    fwd = {"convzoo": cz_fwd}
    fwdbwd = {"convzoo": cz_fwdbwd}
    row = {"name": case.name, "label": case.label, "kind": case.kind,
           "input_shape": list(case.input_shape(batch)),
           "weight_shape": None if wshape is None else list(wshape),
           "output_shape": list(y.shape), "flops": flops, "fwdbwd_flops": train_flops,
           "max_rel_diff": None}
    if torch is not None:
        top = _torch_op(torch, case)
        tx, tdy = torch.from_numpy(x), torch.from_numpy(dy)
        tw = None if w is None else torch.from_numpy(w)
        with torch.no_grad():
            ty = top(tx, tw).numpy()
        row["max_rel_diff"] = float(np.abs(ty - y).max() / max(float(np.abs(ty).max()), 1e-30))
        gx = tx.clone().requires_grad_(True)
        gw = None if tw is None else tw.clone().requires_grad_(True)

        def t_fwd():
            with torch.no_grad():
                top(tx, tw)

        def t_fwdbwd():
            gx.grad = None
            if gw is not None:
                gw.grad = None
            top(gx, gw).backward(tdy)

        fwd["torch"] = t_fwd
        fwdbwd["torch"] = t_fwdbwd
        if ort is not None:
            fwd["onnx"] = _onnx_session(torch, ort, case, x, w)
    t1 = _best(fwd, repeat)
    t2 = _best(fwdbwd, repeat)
    row.update({
        "convzoo_fwd": t1["convzoo"], "torch_fwd": t1.get("torch"), "onnx_fwd": t1.get("onnx"),
        "convzoo_fwdbwd": t2["convzoo"], "torch_fwdbwd": t2.get("torch"),
    })
    row["ratio_fwd"] = _ratio(row["convzoo_fwd"], row["torch_fwd"])
    row["ratio_fwdbwd"] = _ratio(row["convzoo_fwdbwd"], row["torch_fwdbwd"])
    row["ratio_onnx_fwd"] = _ratio(row["convzoo_fwd"], row["onnx_fwd"])
    row["gflops_fwd"] = flops / row["convzoo_fwd"] / 1e9
    row["gflops_fwdbwd"] = train_flops / row["convzoo_fwdbwd"] / 1e9
    return row


def _ratio(a, b):
    return None if a is None or b is None else a / b


def geomean(values) -> float | None:
    """Geometric mean of the positive numbers in ``values`` (None entries skipped).

    >>> geomean([1.0, 4.0, None])
    2.0
    """
    vals = [v for v in values if v is not None]
    return math.exp(sum(math.log(v) for v in vals) / len(vals)) if vals else None


# --- memory ----------------------------------------------------------------------------------
def _status_kib() -> dict:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


def _torch_resnet_cifar(torch, depth: int = 20, width: int = 16, num_classes: int = 10):
    """PyTorch twin of ``convzoo.zoo`` ``resnet{depth}_cifar`` (option-A shortcuts)."""
    nn = torch.nn
    f = torch.nn.functional

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.stride, self.extra = stride, cout - cin

        def forward(self, x):
            out = f.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            short = x
            if self.stride != 1 or self.extra:
                short = x[:, :, ::self.stride, ::self.stride]
                short = f.pad(short, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
            return f.relu(out + short)

    n = (depth - 2) // 6
    layers = [nn.Conv2d(3, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
    planes = width
    for stage, mult in enumerate((1, 2, 4), start=1):
        for i in range(n):
            layers.append(Block(planes, width * mult, 2 if stage > 1 and i == 0 else 1))
            planes = width * mult
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(planes, num_classes)]
    return nn.Sequential(*layers)


def _memory_child(framework: str, workload: str, batch: int) -> dict:
    """Runs in a fresh subprocess: peak KiB above the resident set of one training step."""
    rng = np.random.default_rng(0)
    if workload == "resnet20_cifar":
        x = rng.standard_normal((batch, 3, 32, 32), dtype=np.float32)
        labels = rng.integers(0, 10, batch)
    else:
        case = next(c for c in SUITE if c.name == workload)
        x = rng.standard_normal(case.input_shape(batch), dtype=np.float32)
        w = rng.standard_normal(case.weight_shape(), dtype=np.float32) * np.float32(0.05)
    if framework == "torch":
        import torch
        if workload == "resnet20_cifar":
            model = _torch_resnet_cifar(torch)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            tx, ty = torch.from_numpy(x), torch.from_numpy(labels)

            def step():
                opt.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(model(tx), ty).backward()
                opt.step()
        else:
            op = _torch_op(torch, case)
            tx = torch.from_numpy(x).requires_grad_(True)
            tw = torch.from_numpy(w).requires_grad_(True)

            def step():
                tx.grad = tw.grad = None
                y = op(tx, tw)
                y.backward(torch.ones_like(y))
    else:
        from .optim import SGD
        from .zoo import create_model
        if workload == "resnet20_cifar":
            model = create_model("resnet20_cifar", num_classes=10, rng=0)
            opt = SGD(model.parameters(), lr=0.01, momentum=0.9)

            def step():
                opt.zero_grad()
                F.cross_entropy(model(Tensor(x)), labels).backward()
                opt.step()
        else:
            op = _convzoo_op(case)
            xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)

            def step():
                xt.grad = wt.grad = None
                y = op(xt, wt)
                y.backward(np.ones(y.shape, dtype=np.float32))
    step()                                         # warm-up: caches, compiled kernels, state
    with open("/proc/self/clear_refs", "w") as f:  # reset the peak-RSS mark (Linux >= 4.0)
        f.write("5")
    before = _status_kib()["VmRSS"]
    step()
    peak = _status_kib()["VmHWM"]
    return {"framework": framework, "workload": workload, "batch": batch,
            "baseline_kib": before, "peak_kib": peak, "step_peak_kib": peak - before}


def memory_step(framework: str, workload: str = "resnet20_cifar", batch: int = 32,
                timeout: float = 600) -> dict | None:
    """Peak memory of one training step of ``workload`` in a fresh subprocess (Linux only).

    Args:
        framework: 'convzoo' or 'torch'.
        workload: 'resnet20_cifar' (a whole SGD step on 3×32×32 images) or a ``SUITE`` case
            name (forward and backward of that layer).
        batch: N.

    Returns:
        dict with ``step_peak_kib`` (peak resident KiB above the resident set before the
        step) and the raw figures, or None when it cannot be measured here.
    """
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0")
    code = ("import json, sys; from convzoo.bench import _memory_child; "
            "print(json.dumps(_memory_child(sys.argv[1], sys.argv[2], int(sys.argv[3]))))")
    try:
        done = subprocess.run([sys.executable, "-c", code, framework, workload, str(batch)],
                              capture_output=True, text=True, env=env, timeout=timeout,
                              check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError):
        return None


def memory_comparison(batch: int, workloads=("resnet20_cifar", "resnet_3x3_56"),
                      with_torch: bool = True) -> list[dict]:
    """``memory_step`` for convzoo (and PyTorch) on each workload, with their ratio."""
    rows = []
    for workload in workloads:
        mine = memory_step("convzoo", workload, batch)
        theirs = memory_step("torch", workload, batch) if with_torch else None
        ratio = None
        if mine and theirs and theirs["step_peak_kib"] > 0:
            ratio = mine["step_peak_kib"] / theirs["step_peak_kib"]
        rows.append({"workload": workload, "batch": batch,
                     "convzoo_mib": None if mine is None else mine["step_peak_kib"] / 1024,
                     "torch_mib": None if theirs is None else theirs["step_peak_kib"] / 1024,
                     "ratio": ratio})
    return rows


# --- the suite -------------------------------------------------------------------------------
def _threads(torch) -> dict:
    from .ops.kernels import _backend
    info = {"torch": None if torch is None else torch.get_num_threads(), "numba": None,
            "cpu_count": os.cpu_count()}
    if _backend.numba is not None and _backend.numba_enabled():
        info["numba"] = _backend.numba.get_num_threads()
    return info


def run_suite(batch: int = 32, repeat: int = 5, quick: bool = False, cases=None,
              use_torch: bool = True, use_onnx: bool = True, memory: bool = True,
              progress=None) -> dict:
    """Time every case of ``SUITE`` (or ``cases``); the data behind ``convzoo bench``.

    Args:
        batch: N (``quick`` makes it 4 unless given otherwise by the caller).
        repeat: timed runs per measurement (``quick``: at most 2).
        quick: small batch and few repeats — seconds, for smoke tests.
        cases: an iterable of ``Case`` or case names; default the whole suite.
        use_torch, use_onnx: compare against PyTorch / ONNX Runtime when installed.
        memory: also measure the peak memory of one training step (subprocesses).
        progress: optional callable ``progress(case_name)`` called before each case.

    Returns:
        dict: ``batch``, ``repeat``, ``dtype``, ``versions``, ``threads``,
        ``sgemm_gflops``, ``rows`` (one ``time_case`` dict per case, plus
        ``pct_sgemm_fwd`` and ``pct_sgemm_fwdbwd``), ``geomean`` (``fwd``, ``fwdbwd``,
        ``onnx_fwd`` ratios; None without the other framework) and ``memory``.

    Raises:
        ValueError: unknown case name, batch or repeat < 1.
    """
    from . import _args
    batch = _args.positive_int(batch, "batch")
    repeat = _args.positive_int(repeat, "repeat")
    if quick:
        repeat = min(repeat, 2)
    chosen = _choose(cases)
    torch = _optional("torch") if use_torch else None
    ort = _optional("onnxruntime") if (use_onnx and torch is not None) else None
    if ort is not None and _optional("onnx") is None:
        ort = None
    gemm = sgemm_gflops(repeat=max(3, repeat), size=512 if quick else 2048)
    rows = []
    for case in chosen:
        if progress is not None:
            progress(case.name)
        row = time_case(case, batch, repeat, torch, ort)
        is_conv = case.weight_shape() is not None
        row["pct_sgemm_fwd"] = 100 * row["gflops_fwd"] / gemm if is_conv else None
        row["pct_sgemm_fwdbwd"] = 100 * row["gflops_fwdbwd"] / gemm if is_conv else None
        rows.append(row)
    result = {
        "batch": batch, "repeat": repeat, "dtype": "float32",
        "versions": {"numpy": np.__version__,
                     "torch": None if torch is None else torch.__version__,
                     "onnxruntime": None if ort is None else ort.__version__},
        "threads": _threads(torch),
        "sgemm_gflops": gemm,
        "rows": rows,
        "geomean": {"fwd": geomean(r["ratio_fwd"] for r in rows),
                    "fwdbwd": geomean(r["ratio_fwdbwd"] for r in rows),
                    "onnx_fwd": geomean(r["ratio_onnx_fwd"] for r in rows)},
        "memory": None,
    }
    if memory:
        workloads = ("resnet_3x3_56",) if quick else ("resnet20_cifar", "resnet_3x3_56")
        result["memory"] = memory_comparison(batch, workloads, with_torch=torch is not None)
    return result


def _choose(cases) -> list[Case]:
    if cases is None:
        return list(SUITE)
    by_name = {c.name: c for c in SUITE}
    chosen = []
    for c in cases:
        if isinstance(c, Case):
            chosen.append(c)
        elif c in by_name:
            chosen.append(by_name[c])
        else:
            raise ValueError(f"unknown bench case {c!r}; choose from {', '.join(by_name)}")
    return chosen


# --- rendering -------------------------------------------------------------------------------
def _fmt(value, spec: str, width: int) -> str:
    return ("-" if value is None else format(value, spec)).rjust(width)


def format_table(result: dict) -> str:
    """The suite as an aligned text table (milliseconds, ratios = convzoo / other).

    >>> print(format_table({"batch": 1, "repeat": 1, "sgemm_gflops": 1.0, "rows": [],
    ...                     "geomean": {"fwd": None, "fwdbwd": None, "onnx_fwd": None},
    ...                     "threads": {}, "memory": None}).splitlines()[0])
    convzoo bench: batch 1, float32, best of 1; NumPy sgemm 1.0 GFLOP/s
    """
    lines = [f"convzoo bench: batch {result['batch']}, float32, best of {result['repeat']}; "
             f"NumPy sgemm {result['sgemm_gflops']:.1f} GFLOP/s"]
    head = (f"{'layer':<20}{'fwd ms':>9}{'torch':>9}{'ort':>9}{'x torch':>8}{'x ort':>7}"
            f"{'GF/s':>7}{'%gemm':>6} |{'f+b ms':>9}{'torch':>9}{'x torch':>8}{'GF/s':>7}"
            f"{'%gemm':>6}")
    lines += [head, "-" * len(head)]
    ms = 1e3
    for r in result["rows"]:
        lines.append(
            f"{r['name']:<20}"
            f"{_fmt(r['convzoo_fwd'] * ms, '.1f', 9)}"
            f"{_fmt(None if r['torch_fwd'] is None else r['torch_fwd'] * ms, '.1f', 9)}"
            f"{_fmt(None if r['onnx_fwd'] is None else r['onnx_fwd'] * ms, '.1f', 9)}"
            f"{_fmt(r['ratio_fwd'], '.2f', 8)}{_fmt(r['ratio_onnx_fwd'], '.2f', 7)}"
            f"{_fmt(r['gflops_fwd'], '.1f', 7)}{_fmt(r['pct_sgemm_fwd'], '.0f', 6)} |"
            f"{_fmt(r['convzoo_fwdbwd'] * ms, '.1f', 9)}"
            f"{_fmt(None if r['torch_fwdbwd'] is None else r['torch_fwdbwd'] * ms, '.1f', 9)}"
            f"{_fmt(r['ratio_fwdbwd'], '.2f', 8)}{_fmt(r['gflops_fwdbwd'], '.1f', 7)}"
            f"{_fmt(r['pct_sgemm_fwdbwd'], '.0f', 6)}")
    g = result["geomean"]
    lines.append("-" * len(head))
    lines.append(f"geometric mean of ratios (convzoo / other): forward vs torch "
                 f"{_fmt(g['fwd'], '.2f', 0)}, forward+backward vs torch "
                 f"{_fmt(g['fwdbwd'], '.2f', 0)}, forward vs ONNX Runtime "
                 f"{_fmt(g['onnx_fwd'], '.2f', 0)}")
    if result.get("memory"):
        lines.append("peak memory of one training step above the resident set "
                     "(subprocess, VmHWM - VmRSS):")
        for m in result["memory"]:
            lines.append(f"  {m['workload']:<18} batch {m['batch']}: convzoo "
                         f"{_fmt(m['convzoo_mib'], '.1f', 0)} MiB, torch "
                         f"{_fmt(m['torch_mib'], '.1f', 0)} MiB, ratio "
                         f"{_fmt(m['ratio'], '.2f', 0)}")
    t = result.get("threads") or {}
    if t:
        lines.append(f"threads: torch {t.get('torch')}, numba {t.get('numba')}, "
                     f"cpus {t.get('cpu_count')}")
    return "\n".join(lines)


__all__ = ["Case", "SUITE", "format_table", "geomean", "memory_comparison", "memory_step",
           "run_suite", "sgemm_gflops", "time_case"]

