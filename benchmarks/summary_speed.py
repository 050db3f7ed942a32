"""How long ``convzoo.analysis.summary`` takes on deep models at 224×224 (shapes only).

Issue 4 asks for a ResNet-152 at 224×224 summarised in under a second. This script
builds the model (``convzoo.zoo`` when it registers ``resnet152``, otherwise the same
torchvision layout built here from ``convzoo.nn``), then times ``summary`` — best of
``--repeat`` runs, the model built once and not included — and prints the figures that
show nothing ran at full size: total MACs, peak activation memory.

    python benchmarks/summary_speed.py [--models resnet152 resnet50 ...] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

from convzoo import functional as F
from convzoo import nn, zoo
from convzoo.analysis import summary


class _Bottleneck(nn.Module):
    """torchvision's Bottleneck (stride on the 3×3, ResNet v1.5), for when the zoo lacks it."""

    def __init__(self, c_in, width, stride):
        super().__init__()
        out = width * 4
        self.conv1 = nn.Conv2d(c_in, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.downsample = None
        if stride != 1 or c_in != out:
            self.downsample = nn.Sequential(nn.Conv2d(c_in, out, 1, stride, bias=False),
                                            nn.BatchNorm2d(out))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class _ResNet(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        c = 64
        for i, (n, width) in enumerate(zip(blocks, (64, 128, 256, 512), strict=True)):
            layers = []
            for j in range(n):
                layers.append(_Bottleneck(c, width, 2 if i and not j else 1))
                c = width * 4
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.avgpool = nn.GlobalAvgPool2d()
        self.fc = nn.Linear(2048, 1000)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(F.flatten(self.avgpool(x)))


_LOCAL = {"resnet50": (3, 4, 6, 3), "resnet101": (3, 4, 23, 3), "resnet152": (3, 8, 36, 3)}


def build(name: str):
    """The zoo's model if registered, else the local torchvision-layout ResNet."""
    if name in zoo.list_models():
        return zoo.create_model(name, rng=0), "convzoo.zoo"
    if name in _LOCAL:
        return _ResNet(_LOCAL[name]), "benchmarks/summary_speed.py (torchvision layout)"
    raise SystemExit(f"unknown model {name!r}: not in the zoo and no local definition")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["resnet152", "resnet50"])
    parser.add_argument("--input", type=int, default=224, help="H = W of the 3-channel input")
    parser.add_argument("--repeat", type=int, default=5)
    a = parser.parse_args()
    for name in a.models:
        start = time.perf_counter()
        model, source = build(name)
        built = time.perf_counter() - start
        times = []
        for _ in range(a.repeat):
            start = time.perf_counter()
            s = summary(model, (3, a.input, a.input), name=name)
            times.append(time.perf_counter() - start)
        print(f"{name} ({source}) at 3x{a.input}x{a.input}: summary best {min(times):.3f} s, "
              f"median {sorted(times)[len(times) // 2]:.3f} s over {a.repeat} runs "
              f"(model construction {built:.2f} s, not included); {len(s.rows)} rows, "
              f"{s.total_params:,} params, {s.total_macs:,} MACs, receptive field "
              f"{s.receptive_field['size'][0]}, forward peak "
              f"{s.memory.forward_peak_bytes / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
