"""convzoo.analysis: shape-only summaries, counts, receptive fields, memory.

Oracles: counts written out from the layer definitions in this file; parameter counts
and FLOP counts (``torch.utils.flop_counter``) of equivalent PyTorch modules; receptive
fields measured as the support of a PyTorch gradient; published figures (each with its
source in a comment); and real convzoo forward passes for the shapes.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from convzoo import functional as F
from convzoo import nn, zoo
from convzoo.analysis import summary
from convzoo.analysis.trace import _ORIGINAL_CALL
from convzoo.autograd import Function, Tensor

# --------------------------------------------------------------------------- helpers


class Branches(nn.Module):
    """Run ``paths`` on the same input and join them by "add" or "concat" (multi-path)."""

    def __init__(self, paths, join):
        super().__init__()
        for i, p in enumerate(paths):
            setattr(self, f"path{i}", p)
        self.n, self.join = len(paths), join

    def forward(self, x):
        outs = [getattr(self, f"path{i}")(x) for i in range(self.n)]
        if self.join == "concat":
            return F.concat(outs, axis=1)
        total = outs[0]
        for o in outs[1:]:
            total = total + o
        return total


def _rng():
    return np.random.default_rng(7)


def _flop_counter(torch):
    from torch.utils.flop_counter import FlopCounterMode
    return FlopCounterMode(display=False)


def _state(model):
    return {k: np.array(v, copy=True) for k, v in model.state_dict().items()}


# --------------------------------------------------------------------------- LeNet-5, ResNet-20

def test_lenet5_counts_by_hand():
    # LeNet-5 has 61,706 parameters (issue 4 / DESIGN §5; LeCun et al. 1998 on 32x32 input).
    s = summary(zoo.create_model("lenet5", num_classes=10, in_channels=1, input_size=32, rng=0),
                (1, 32, 32))
    assert s.total_params == 61706
    # manual walk: C1 6@5x5 on 32x32 -> 28x28; C3 16@5x5 on 14x14 -> 10x10; F 400-120-84-10
    macs = 28 * 28 * 6 * 1 * 25 + 10 * 10 * 16 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10
    assert s.total_macs == macs
    pool_flops = 6 * 14 * 14 * 3 + 16 * 5 * 5 * 3          # 2x2 max: 3 comparisons per output
    assert s.total_flops == 2 * macs + pool_flops
    leaves = [(r.name, r.output_shape) for r in s.rows if r.leaf]
    assert leaves[:6] == [("features.0", (1, 6, 28, 28)), ("features.1", (1, 6, 28, 28)),
                          ("features.2", (1, 6, 14, 14)), ("features.3", (1, 16, 10, 10)),
                          ("features.4", (1, 16, 10, 10)), ("features.5", (1, 16, 5, 5))]
    # receptive field: 5 -> 6 (pool) -> 6 + 4*2 = 14 -> 14 + 1*2 = 16, jump 4
    assert s.receptive_field == {"size": [16, 16], "jump": [4, 4], "start": [7.5, 7.5]}


def test_lenet5_params_equal_torch():
    torch = pytest.importorskip("torch")
    tn = torch.nn
    ref = tn.Sequential(tn.Conv2d(1, 6, 5), tn.ReLU(), tn.MaxPool2d(2), tn.Conv2d(6, 16, 5),
                        tn.ReLU(), tn.MaxPool2d(2), tn.Flatten(), tn.Linear(400, 120), tn.ReLU(),
                        tn.Linear(120, 84), tn.ReLU(), tn.Linear(84, 10))
    s = summary(zoo.create_model("lenet5", num_classes=10, in_channels=1, input_size=32, rng=0),
                (1, 32, 32))
    assert s.total_params == sum(p.numel() for p in ref.parameters())
    with _flop_counter(torch) as counter:
        ref(torch.zeros(1, 1, 32, 32))
    assert 2 * s.total_macs == counter.get_total_flops()


def test_resnet20_cifar_counts_by_hand():
    # He et al. 2016, Table 6: ResNet-20 has 0.27M parameters (option-A shortcuts).
    s = summary(zoo.create_model("resnet20_cifar", num_classes=10, rng=0), (3, 32, 32))
    conv = 3 * 16 * 9 + 6 * 16 * 16 * 9 + (16 * 32 * 9 + 5 * 32 * 32 * 9) \
        + (32 * 64 * 9 + 5 * 64 * 64 * 9)
    bn = 2 * (16 * 7 + 32 * 6 + 64 * 6)
    assert s.total_params == conv + bn + 64 * 10 + 10 == 269722
    macs = (32 * 32 * 16 * 27 + 6 * 32 * 32 * 16 * 144
            + 16 * 16 * 32 * 144 + 5 * 16 * 16 * 32 * 288
            + 8 * 8 * 64 * 288 + 5 * 8 * 8 * 64 * 576 + 64 * 10)
    assert s.total_macs == macs
    # receptive field: stem 3; layer1 six 3x3 at jump 1 -> 15; layer2 stride-2 conv at jump 1
    # -> 17, then five at jump 2 -> 37; layer3: 41, then five at jump 4 -> 81
    assert s.receptive_field["size"] == [81, 81] and s.receptive_field["jump"] == [4, 4]
    # the option-A shortcut x[:, :, ::2, ::2] is a view that keeps the block input alive
    block = next(r for r in s.rows if r.name == "layer2.0")
    assert block.ops == ("ReLU", "GetItem", "Concat", "Add", "ReLU")
    assert block.receptive_field["size"] == [21, 21]


# --------------------------------------------------------------------------- shapes vs real forward

def _real_output_shapes(model, x, monkeypatch):
    """Output shape of every module call of a REAL forward, recorded by a test-side wrapper."""
    seen = []
    original = nn.Module.__call__

    def call(module, *args, **kwargs):
        out = original(module, *args, **kwargs)
        first = out[0] if isinstance(out, (tuple, list)) else out
        seen.append((type(module).__name__, tuple(first.shape)))
        return out

    monkeypatch.setattr(nn.Module, "__call__", call)
    model.eval()
    model(Tensor(x))
    monkeypatch.setattr(nn.Module, "__call__", original)
    return seen


def _small(name):
    """A small input and small builder options for a real forward of zoo model ``name``."""
    import inspect

    from convzoo.zoo import registry

    accepted = inspect.signature(registry._MODELS[name]).parameters
    shape, kw = (3, 32, 32), {}
    if name == "lenet5":
        shape = (1, 28, 28)
    elif name.endswith("_cifar"):
        shape = (3, 16, 16)
    elif name in ("alexnet", "zfnet"):
        shape = (3, 64, 64)
    if "width" in accepted:
        kw["width"] = 4 if name.endswith("_cifar") else 8
    if "width_mult" in accepted:
        kw["width_mult"] = 0.125
    if "growth_rate" in accepted:
        kw.update(growth_rate=4, num_init_features=8)
    if "input_size" in accepted:
        kw["input_size"] = shape[1]
    return shape, kw


def _build_small(name):
    shape, kw = _small(name)
    for width in (kw.get("width_mult"), 0.25, 0.5, 1.0):   # grouped models need divisible widths
        if width is not None and "width_mult" in kw:
            kw["width_mult"] = width
        try:
            return zoo.create_model(name, num_classes=10, in_channels=shape[0], rng=0, **kw), shape
        except ValueError:
            if "width_mult" not in kw or width == 1.0:
                raise
    raise AssertionError("unreachable")


@pytest.mark.parametrize("name", zoo.list_models())
def test_meta_shapes_equal_real_forward_shapes(name, monkeypatch):
    model, shape = _build_small(name)
    s = summary(model, shape)
    x = np.random.default_rng(0).standard_normal((1, *shape)).astype(np.float32)
    real = _real_output_shapes(model, x, monkeypatch)
    # rows are in the order calls start; the wrapper records them as calls end
    meta = [(r.kind, r.output_shape) for r in s.rows]
    assert sorted(meta) == sorted(real)
    assert s.total_params == model.num_parameters()
    assert s.uncounted_ops == ()


# torchvision's model docs, pytorch.org/vision/stable/models/generated/torchvision.models.<name>
# .html, IMAGENET1K_V1 weights: "num_params" and "GFLOPS" at 224x224. torchvision's GFLOPS are
# the multiply-accumulates of the conv and linear layers (one "FLOP" per MAC, fvcore's
# convention), i.e. convzoo's total_macs / 1e9, rounded to 2 decimals.
PUBLISHED = [
    ("resnet18", 11_689_512, 1.81),
    ("resnet34", 21_797_672, 3.66),
    ("resnet50", 25_557_032, 4.09),
    ("mobilenet_v2", 3_504_872, 0.30),
    ("googlenet", 6_624_904, 1.50),
    ("densenet169", 14_149_480, 3.36),
]
# the same docs; these models take seconds and gigabytes to build (CONVZOO_SLOW=1 runs them)
PUBLISHED_SLOW = [
    ("alexnet", 61_100_840, 0.71),
    ("vgg16", 138_357_544, 15.47),
    ("densenet201", 20_013_928, 4.29),
    ("resnet152", 60_192_808, 11.51),
]


def _published(name, params, gmacs):
    if name not in zoo.list_models():
        pytest.skip(f"{name} is not in the zoo yet")
    s = summary(zoo.create_model(name, rng=0), (3, 224, 224))
    assert s.total_params == params
    assert round(s.total_macs / 1e9, 2) == gmacs


@pytest.mark.parametrize("name, params, gmacs", PUBLISHED)
def test_published_params_and_macs(name, params, gmacs):
    _published(name, params, gmacs)


@pytest.mark.skipif(not os.environ.get("CONVZOO_SLOW"), reason="set CONVZOO_SLOW=1")
@pytest.mark.parametrize("name, params, gmacs", PUBLISHED_SLOW)
def test_published_params_and_macs_of_large_models(name, params, gmacs):
    _published(name, params, gmacs)


def test_mobilenet_v1_paper_figures():
    # Howard et al. 2017 (MobileNets), Table 8: 1.0 MobileNet-224 has 569 million
    # mult-adds and 4.2 million parameters
    if "mobilenet_v1" not in zoo.list_models():
        pytest.skip("mobilenet_v1 is not in the zoo yet")
    s = summary(zoo.create_model("mobilenet_v1", rng=0), (3, 224, 224))
    assert round(s.total_macs / 1e6) == 569 and round(s.total_params / 1e6, 1) == 4.2


@pytest.mark.parametrize("name, size", [("alexnet", 195), ("vgg16", 212), ("mobilenet_v1", 315)])
def test_zoo_receptive_fields_match_distill_table(name, size):
    # Distill 2019 table (see the chains below): alexnet_v2 195, vgg_16 212, mobilenet_v1 315.
    # The field depends on the geometry only, so a narrow model (width_mult) gives it cheaply.
    if name not in zoo.list_models():
        pytest.skip(f"{name} is not in the zoo yet")
    model = zoo.create_model(name, rng=0, width_mult=0.125)
    assert summary(model, (3, 224, 224)).receptive_field["size"] == [size, size]


def test_torchvision_resnet50_field_differs_from_slim():
    # torchvision's ResNet-50 (v1.5) strides in the FIRST block of stages 2-4; TF-Slim's
    # resnet_v1_50 (Distill's 483) in the LAST. Written out for torchvision: stem 7 -> 11
    # (pool, jump 4); layer1 three 3x3 at jump 4 -> 35; layer2 3x3/2 at jump 4 -> 43, three
    # more at jump 8 -> 91; layer3 -> 107, five at 16 -> 267; layer4 -> 299, two at 32 -> 427.
    if "resnet50" not in zoo.list_models():
        pytest.skip("resnet50 is not in the zoo yet")
    s = summary(zoo.create_model("resnet50", width=8, rng=0), (3, 224, 224))
    assert s.receptive_field["size"] == [427, 427] and s.receptive_field["jump"] == [32, 32]


# --------------------------------------------------------------------------- counts vs torch

def _mixed_models(torch):
    """The same network in convzoo and torch: dilation, groups, depthwise, transposed, pools."""
    tn = torch.nn
    ours = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=4, bias=False),
        nn.DepthwiseConv2d(8, 3, depth_multiplier=2, padding=1),
        nn.Conv2d(16, 8, 1),
        nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1, groups=2),
        nn.MaxPool2d(3, stride=2, padding=1), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(4 * 8 * 8, 5))
    ref = tn.Sequential(
        tn.Conv2d(3, 8, 3, stride=2, padding=1), tn.BatchNorm2d(8), tn.ReLU(),
        tn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=4, bias=False),
        tn.Conv2d(8, 16, 3, padding=1, groups=8),
        tn.Conv2d(16, 8, 1),
        tn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1, groups=2),
        tn.MaxPool2d(3, stride=2, padding=1), tn.AvgPool2d(2),
        tn.Flatten(), tn.Linear(4 * 8 * 8, 5))
    return ours, ref


def test_macs_and_params_equal_torch_flop_counter():
    torch = pytest.importorskip("torch")
    ours, ref = _mixed_models(torch)
    s = summary(ours, (3, 32, 32))
    with _flop_counter(torch) as counter:
        out = ref(torch.zeros(1, 3, 32, 32))
    assert s.rows[-1].output_shape == tuple(out.shape)
    # torch counts 2 FLOPs per multiply-accumulate of conv/linear and transposed convs on the
    # input grid, as convzoo does
    assert 2 * s.total_macs == counter.get_total_flops()
    assert s.total_params == sum(p.numel() for p in ref.parameters())


def test_grouped_depthwise_and_transposed_counted_per_layer():
    s = summary(nn.Sequential(
        nn.Conv2d(64, 64, 3, padding=1, groups=8, bias=False),
        nn.DepthwiseConv2d(64, 3, padding=1, bias=False),
        nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1, bias=False)), (64, 56, 56))
    grouped, depthwise, transposed = s.rows[1:]
    # source articles (DESIGN §5): 64->64 3x3, 8 groups: 4,608 weights instead of 36,864
    assert grouped.params == 4608 and grouped.macs == 56 * 56 * 64 * 8 * 9
    assert depthwise.params == 64 * 9 and depthwise.macs == 56 * 56 * 64 * 9
    # transposed conv on the INPUT grid: each of the 56x56 input cells multiplies the whole
    # 64 x 32 x 4 x 4 kernel once; counting on the 112x112 output grid would give 4x more
    assert transposed.output_shape == (1, 32, 112, 112)
    assert transposed.macs == 56 * 56 * 64 * 32 * 16


def test_flop_conventions_switch():
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
    macs = 8 * 8 * 4 * 2 * 9 + 64 * 3
    pool, norm = 4 * 4 * 4 * 3, 2 * 4 * 8 * 8
    bias, relu = 4 * 8 * 8 + 3, 4 * 8 * 8

    def flops(**kw):
        return summary(net, (2, 8, 8), **kw).total_flops

    assert flops() == 2 * macs + pool + norm
    assert flops(count_pool=False, count_norm=False) == 2 * macs
    assert flops(count_bias=True) == 2 * macs + pool + norm + bias
    assert flops(count_elementwise=True) == 2 * macs + pool + norm + relu
    assert summary(net, (2, 8, 8), count_pool=False).total_macs == macs
    assert summary(net, (2, 8, 8)).conventions.to_dict() == {
        "count_bias": False, "count_norm": True, "count_pool": True, "count_elementwise": False}


# --------------------------------------------------------------------------- the source articles

class Inception(nn.Module):
    """The lecture's Inception module on 28x28x256: naive (no 1x1 before the 3x3/5x5, the
    pool passed through) or with 1x1 bottlenecks."""

    def __init__(self, bottleneck: bool):
        super().__init__()
        c = 256
        self.b1 = nn.Conv2d(c, 128, 1, bias=False)
        if bottleneck:
            self.b3 = nn.Sequential(nn.Conv2d(c, 64, 1, bias=False),
                                    nn.Conv2d(64, 192, 3, padding=1, bias=False))
            self.b5 = nn.Sequential(nn.Conv2d(c, 64, 1, bias=False),
                                    nn.Conv2d(64, 96, 5, padding=2, bias=False))
            self.pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(c, 64, 1, bias=False))
        else:
            self.b3 = nn.Conv2d(c, 192, 3, padding=1, bias=False)
            self.b5 = nn.Conv2d(c, 96, 5, padding=2, bias=False)
            self.pool = nn.MaxPool2d(3, 1, 1)

    def forward(self, x):
        return F.concat([self.b1(x), self.b3(x), self.b5(x), self.pool(x)], axis=1)


def test_inception_module_naive_vs_bottleneck():
    # shared/sources/001_a0d86916560d8201.txt (the CS231n lecture notes): input 28x28x256,
    # the naive module's concatenated output is 28x28x672, with 1x1 "bottleneck" layers
    # 28x28x480 and far less computation. The operation counts are in the lecture's
    # figures, not the stored text; written out from the module's layers they are
    # 28*28*256*(128 + 192*9 + 96*25) = 854,196,224 (the lecture's "854M ops") and
    # 28*28*(256*64 + 256*64 + 256*128 + 64*192*9 + 64*96*25 + 256*64) = 271,351,808.
    naive = summary(Inception(False), (256, 28, 28))
    slim = summary(Inception(True), (256, 28, 28))
    assert naive.rows[0].output_shape == (1, 672, 28, 28)
    assert slim.rows[0].output_shape == (1, 480, 28, 28)
    assert naive.total_macs == 28 * 28 * 256 * (128 + 192 * 9 + 96 * 25) == 854_196_224
    assert slim.total_macs == 28 * 28 * (256 * 64 * 2 + 256 * 128 + 64 * 192 * 9 + 64 * 96 * 25
                                         + 256 * 64) == 271_351_808
    assert slim.total_macs < naive.total_macs / 3
    # multi-path receptive field: the largest branch, the 5x5 (pool 3x3 -> 1x1 is 3)
    assert naive.receptive_field["size"] == [5, 5] == slim.receptive_field["size"]


def test_three_stacked_3x3_see_7x7_like_one_7x7():
    # DESIGN §5 / shared/sources/004: three stacked 3x3 convs see 7x7, 27C^2 vs 49C^2 weights
    c = 16
    stack = summary(nn.Sequential(*[nn.Conv2d(c, c, 3, padding=1, bias=False)
                                    for _ in range(3)]), (c, 20, 20))
    one = summary(nn.Conv2d(c, c, 7, padding=3, bias=False), (c, 20, 20))
    assert stack.receptive_field["size"] == one.receptive_field["size"] == [7, 7]
    assert (stack.total_params, one.total_params) == (27 * c * c, 49 * c * c)


# ------------------------------------------------------------- published receptive fields

# "Computing Receptive Fields of Convolutional Neural Networks" (Araujo, Norris, Sim;
# Distill 2019, doi 10.23915/distill.00021), table of the receptive fields of modern
# networks, computed with the google-research/receptive_field library on the TF-Slim
# models: receptive field / effective stride / effective padding
#   alexnet_v2 195/32/64, vgg_16 212/32/90, mobilenet_v1 315/32/126,
#   resnet_v1_50 483/32/239, resnet_v1_101 1027/32/511, resnet_v1_152 1507/32/751.
# "start" (centre of unit 0's field) = -effective padding + (size - 1)/2.
# The chains below are those TF-Slim layouts with one channel (fields ignore channels);
# 'same' is TensorFlow's SAME (SAME_UPPER), as convzoo's 'same' padding.

def _alexnet_v2():
    return nn.Sequential(
        nn.Conv2d(1, 1, 11, 4), nn.MaxPool2d(3, 2), nn.Conv2d(1, 1, 5, padding="same"),
        nn.MaxPool2d(3, 2), *[nn.Conv2d(1, 1, 3, padding="same") for _ in range(3)],
        nn.MaxPool2d(3, 2))


def _vgg_16():
    layers = []
    for n in (2, 2, 3, 3, 3):
        layers += [nn.Conv2d(1, 1, 3, padding="same") for _ in range(n)] + [nn.MaxPool2d(2)]
    return nn.Sequential(*layers)


def _mobilenet_v1():
    layers = [nn.Conv2d(1, 1, 3, 2, padding="same")]
    for stride in (1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1):
        layers += [nn.DepthwiseConv2d(1, 3, stride=stride, padding="same"), nn.Conv2d(1, 1, 1)]
    return nn.Sequential(*layers)


class SlimBottleneck(nn.Module):
    """TF-Slim resnet_v1 unit: 1x1, 3x3 (stride here, explicit symmetric 'conv2d_same' pad),
    1x1, plus a strided 1x1 shortcut; the stride sits in the LAST unit of each block."""

    def __init__(self, stride):
        super().__init__()
        pad = "same" if stride == 1 else 1
        self.body = nn.Sequential(nn.Conv2d(1, 1, 1), nn.Conv2d(1, 1, 3, stride, pad),
                                  nn.Conv2d(1, 1, 1))
        self.shortcut = nn.Conv2d(1, 1, 1, stride)

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


def _resnet_v1(units):
    layers = [nn.Conv2d(1, 1, 7, 2, 3), nn.MaxPool2d(3, 2, padding="same")]
    for i, n in enumerate(units):
        last_stride = 1 if i == len(units) - 1 else 2
        layers += [SlimBottleneck(1) for _ in range(n - 1)] + [SlimBottleneck(last_stride)]
    return nn.Sequential(*layers)


@pytest.mark.parametrize("build, size, padding", [
    (_alexnet_v2, 195, 64), (_vgg_16, 212, 90), (_mobilenet_v1, 315, 126),
    (lambda: _resnet_v1((3, 4, 6, 3)), 483, 239),
    (lambda: _resnet_v1((3, 4, 23, 3)), 1027, 511),
    (lambda: _resnet_v1((3, 8, 36, 3)), 1507, 751),
])
def test_receptive_fields_of_distill_table(build, size, padding):
    s = summary(build(), (1, 224, 224))
    assert s.receptive_field["size"] == [size, size]
    assert s.receptive_field["jump"] == [32, 32]
    assert s.receptive_field["start"] == [-padding + (size - 1) / 2] * 2


# ------------------------------------------------------------- receptive fields vs torch

def _chain(spec, torch_mode):
    """Build the spec in convzoo (torch_mode False) or torch (True), one channel, ones weights."""
    if torch_mode:
        import torch
        tn = torch.nn
    layers = []
    for item in spec:
        kind, *args = item
        if kind == "conv":
            k, s, p, d = args
            layers.append(tn.Conv2d(1, 1, k, s, p, d, bias=False) if torch_mode
                          else nn.Conv2d(1, 1, k, s, p, d, bias=False))
        elif kind == "pool":
            k, s, p = args
            layers.append(tn.AvgPool2d(k, s, p) if torch_mode else nn.AvgPool2d(k, s, p))
        elif kind == "tconv":
            k, s, p = args
            layers.append(tn.ConvTranspose2d(1, 1, k, s, p, bias=False) if torch_mode
                          else nn.ConvTranspose2d(1, 1, k, s, p, bias=False))
        else:   # ("branch", join, spec_a, spec_b)
            join, a, b = args
            if torch_mode:
                layers.append(_TorchBranches(_chain(a, True), _chain(b, True), join))
            else:
                layers.append(Branches([_chain(a, False), _chain(b, False)], join))
                if join == "concat":
                    layers.append(nn.Conv2d(2, 1, 1, bias=False))
            if torch_mode and join == "concat":
                layers.append(tn.Conv2d(2, 1, 1, bias=False))
    if torch_mode:
        net = tn.Sequential(*layers)
        for p in net.parameters():
            p.data.fill_(1.0)
        return net
    return nn.Sequential(*layers)


def _TorchBranches(a, b, join):
    import torch

    class TB(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = a, b

        def forward(self, x):
            ya, yb = self.a(x), self.b(x)
            return torch.cat([ya, yb], 1) if join == "concat" else ya + yb
    return TB()


def _support(torch, net, size, unit):
    """Input rows/cols with a nonzero gradient for output unit ``unit`` (positive weights)."""
    x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    y = net.double()(x)
    y[0, 0, unit[0], unit[1]].backward()
    rows = np.flatnonzero(x.grad[0, 0].abs().sum(1).numpy() > 0)
    cols = np.flatnonzero(x.grad[0, 0].abs().sum(0).numpy() > 0)
    return rows, cols, tuple(y.shape)


RF_CHAINS = [
    [("conv", 3, 1, 1, 1), ("conv", 3, 2, 1, 1), ("conv", 3, 1, 2, 2), ("pool", 2, 2, 0)],
    [("conv", 5, 2, 2, 1), ("conv", 3, 1, 3, 3), ("conv", 3, 2, 0, 2), ("conv", 1, 1, 0, 1)],
    [("conv", 3, 1, 1, 1), ("branch", "add", [("conv", 3, 1, 1, 1)],
                                              [("conv", 3, 1, 2, 2), ("conv", 3, 1, 1, 1)])],
    [("conv", 3, 2, 1, 1), ("branch", "concat", [("conv", 1, 1, 0, 1)],
                                                 [("conv", 5, 1, 4, 2)]), ("pool", 3, 2, 1)],
]


@pytest.mark.parametrize("spec", RF_CHAINS, ids=["dilated", "strided-dilated", "residual",
                                                  "inception"])
def test_receptive_field_equals_gradient_support(spec):
    torch = pytest.importorskip("torch")
    size = 64
    s = summary(_chain(spec, False), (1, size, size))
    field = s.receptive_field
    ref = _chain(spec, True)
    h, w = s.rows[-1].output_shape[2:]
    for unit in ((h // 2, w // 2 - 1), (h // 2 - 1, w // 2)):   # inside: no clipping at borders
        rows, cols, out_shape = _support(torch, ref, size, unit)
        for support, u, d in ((rows, unit[0], 0), (cols, unit[1], 1)):
            assert support[-1] - support[0] + 1 == field["size"][d]
            assert (support[0] + support[-1]) / 2 == field["start"][d] + u * field["jump"][d]
    assert s.rows[-1].output_shape == out_shape


def test_transposed_conv_receptive_field_divides_the_jump():
    torch = pytest.importorskip("torch")
    # conv 3/2 then transposed 4/2 (an encoder-decoder), then transposed 3/2 dilated
    spec = [("conv", 3, 2, 1, 1), ("tconv", 4, 2, 1), ("tconv", 3, 2, 0)]
    size = 24
    s = summary(_chain(spec, False), (1, size, size))
    field = s.receptive_field
    assert field["jump"] == [0.5, 0.5]
    ref = _chain(spec, True)
    extents, centres = [], {}
    for o in range(16, 24):
        rows, _, _ = _support(torch, ref, size, (o, o))
        extents.append(rows[-1] - rows[0] + 1)
        centres[o] = (rows[0] + rows[-1]) / 2
    assert max(extents) == field["size"][0]            # whole pixels one output can see
    # the footprint repeats every 2x2 = 4 outputs, shifted by 2 input pixels: jump 1/2 ...
    assert all(centres[o + 4] - centres[o] == 4 * 0.5 for o in range(16, 20))
    # ... and the start is the footprint centre of unit 0 averaged over the phases
    mean_offset = np.mean([centres[o] - o * 0.5 for o in range(16, 24)])
    assert mean_offset == pytest.approx(field["start"][0], abs=1e-12)


def test_adaptive_pool_field_and_counts():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Conv2d(1, 1, 3, 2, 1, bias=False), nn.AdaptiveAvgPool2d(9))
    ref = torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3, 2, 1, bias=False),
                              torch.nn.AdaptiveAvgPool2d(9))
    ref[0].weight.data.fill_(1.0)
    s = summary(ours, (1, 32, 32))
    assert s.rows[-1].output_shape == (1, 1, 9, 9)
    extents = [np.ptp(_support(torch, ref, 32, (i, 4))[0]) + 1 for i in range(9)]
    assert max(extents) == s.receptive_field["size"][0]
    assert s.receptive_field["jump"][0] == pytest.approx(2 * 16 / 9)
    # FLOPs: every output averages its window (PyTorch's floor/ceil windows over 16 cells)
    windows = [math.ceil((i + 1) * 16 / 9) - (i * 16) // 9 for i in range(9)]
    assert s.rows[-1].flops == sum(windows) ** 2
    lrn = summary(nn.LocalResponseNorm(5), (8, 4, 4))
    assert lrn.total_flops == (2 * 5 + 3) * 8 * 16
    assert summary(nn.LocalResponseNorm(5), (8, 4, 4), count_norm=False).total_flops == 0


def test_single_transposed_conv_field_is_ceil_k_over_s():
    for k, s_ in ((3, 2), (4, 2), (2, 2), (5, 3), (7, 2)):
        s = summary(nn.ConvTranspose2d(1, 1, k, s_, bias=False), (1, 5, 5))
        assert s.receptive_field["size"] == [math.ceil(k / s_)] * 2, (k, s_)


def test_se_gate_and_global_pool_end_the_extent():
    class SE(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1)
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            x = self.conv(x)
            w = F.sigmoid(self.fc(F.flatten(F.global_avg_pool2d(x))))
            return x * w.reshape(1, 4, 1, 1)

    s = summary(nn.Sequential(SE(), nn.Conv2d(4, 4, 3, padding=1), nn.GlobalAvgPool2d(),
                              nn.Flatten()), (4, 16, 16))
    assert s.receptive_field["size"] == [5, 5]      # the local field; the gate adds none
    assert s.rows[-1].receptive_field is None and s.rows[-2].receptive_field is None


# --------------------------------------------------------------------------- memory

def test_memory_of_a_chain_by_hand():
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3, padding=1),
                        nn.Flatten())
    m = summary(net, (1, 8, 8)).memory
    a, b, c, d = 64 * 4, 4 * 64 * 4, 4 * 64 * 4, 2 * 64 * 4     # input, conv, relu, conv bytes
    assert m.activation_bytes == a + b + c + d                 # flatten is a view: free
    assert m.forward_peak_bytes == max(a + b, b + c, c + d)
    params = (4 * 9 + 4 + 2 * 4 * 9 + 2) * 4
    assert m.params_bytes == m.grads_bytes == params
    assert m.training_bytes == a + b + c + d + 2 * params


def test_memory_keeps_the_residual_input_alive():
    net = Branches([nn.Sequential(nn.Conv2d(2, 2, 3, padding=1), nn.ReLU()), nn.Identity()],
                   "add")
    m = summary(net, (2, 8, 8)).memory
    x = 2 * 64 * 4
    assert m.forward_peak_bytes == 3 * x     # input, conv output and relu output at once
    assert m.activation_bytes == 4 * x       # + the sum


# --------------------------------------------------------------------------- shape-only, harmless

def test_summary_runs_no_kernel_and_leaves_the_model_untouched(monkeypatch):
    model = zoo.create_model("resnet20_cifar", num_classes=10, rng=0)
    model.train()
    before = _state(model)

    def boom(*args, **kwargs):
        raise AssertionError("a kernel ran")

    from convzoo.functional import conv, norm, pool
    for cls in (conv.ConvNd, norm.BatchNorm, pool.GlobalAvgPool):
        monkeypatch.setattr(cls, "forward", staticmethod(boom))
    s = summary(model, (3, 32, 32))
    assert s.total_macs > 0
    after = _state(model)
    assert before.keys() == after.keys()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert all(m.training for m in model.modules())
    assert nn.Module.__call__ is _ORIGINAL_CALL


def test_hooks_are_removed_after_an_error():
    net = nn.Sequential(nn.Conv2d(1, 2, 5), nn.Conv2d(2, 2, 5))
    with pytest.raises(ValueError, match=r"^1 \(Conv2d\): .*larger than the padded input"):
        summary(net, (1, 6, 6))
    y = net(Tensor(np.ones((1, 1, 9, 9), np.float32)))     # real forward works afterwards
    assert y.shape == (1, 2, 1, 1) and np.isfinite(y.numpy()).all()


def test_function_without_infer_falls_back_to_forward():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return np.concatenate([x, x], axis=1)

        @staticmethod
        def backward(ctx, grad):   # pragma: no cover - not used
            return grad[:, : grad.shape[1] // 2]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)

        def forward(self, x):
            return Double.apply(self.conv(x))

    s = summary(Net(), (1, 6, 6))
    assert s.rows[0].output_shape == (1, 4, 4, 4)
    assert s.uncounted_ops == ("Double",)
    assert s.receptive_field["size"] == [3, 3]     # same spatial size: treated as elementwise


def test_shared_module_counts_its_parameters_once():
    conv = nn.Conv2d(2, 2, 3, padding=1)
    s = summary(nn.Sequential(conv, nn.ReLU(), conv), (2, 6, 6))
    convs = [r for r in s.rows if r.kind == "Conv2d"]
    assert [r.params for r in convs] == [conv.num_parameters(), 0]
    assert s.total_params == conv.num_parameters()
    assert [r.macs for r in convs] == [6 * 6 * 2 * 18] * 2


# --------------------------------------------------------------------------- output

def test_table_and_dict():
    s = summary(zoo.create_model("lenet5", num_classes=10, in_channels=1, rng=0), (1, 28, 28),
                name="lenet5")
    text = str(s)
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["layer", "kind", "output", "shape"]
    assert "total params: 61,706" in text and "receptive field: 16" in text
    assert "forward peak" in text and "training" in text
    assert len(s.table(max_depth=1).splitlines()) < len(lines)
    d = s.to_dict()
    assert {"model", "input", "total_params", "total_macs", "total_flops", "receptive_field",
            "layers", "forward_peak_bytes", "training_bytes"} <= set(d)
    assert d["model"] == "lenet5" and d["input"] == [1, 28, 28]
    assert set(d["receptive_field"]) == {"size", "jump", "start"}
    assert sum(r["params"] for r in d["layers"]) == d["total_params"]
    assert sum(r["macs"] for r in d["layers"]) == d["total_macs"]


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("shape, error, match", [
    ("3x32x32", TypeError, "input_shape must be a sequence"),
    (32, TypeError, "input_shape must be a sequence"),
    ((3,), ValueError, "at least one spatial dim"),
    ((3, 0, 32), ValueError, "input_shape"),
    ((3, -4, 32), ValueError, "input_shape"),
    ((3, 32.5, 32), ValueError, "input_shape must be an int or a sequence of 3 ints"),
])
def test_bad_input_shape(shape, error, match):
    with pytest.raises(error, match=match):
        summary(nn.Conv2d(3, 4, 3), shape)


def test_bad_model_and_switches():
    with pytest.raises(TypeError, match="model must be a convzoo.nn.Module; got model of type"):
        summary(lambda x: x, (3, 8, 8))
    with pytest.raises(TypeError, match="count_pool must be True or False; got count_pool=1"):
        summary(nn.Conv2d(3, 4, 3), (3, 8, 8), count_pool=1)


def test_input_too_small_names_the_layer():
    with pytest.raises(ValueError, match=r"^features\.3 \(Conv2d\): convolution window"):
        summary(zoo.create_model("lenet5", num_classes=10, in_channels=1, input_size=32, rng=0),
                (1, 12, 12))
