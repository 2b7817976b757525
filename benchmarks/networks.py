"""The whole networks `scripts/bench.py --networks` times: our own definitions of the
architectures people train, each with the input it is timed on.

Every `Conv*d` / `ConvTranspose*d` of a network is swapped for its `convnotes.nn`
counterpart by `swap_convs` (same constructor arguments, same state dict), so the two
models compute the same function and differ only in who computes the convolutions.

The definitions follow the published architectures at reduced input sizes (so that
a training step takes tens of milliseconds on two cores, not seconds):

* ResNet-18 (He et al., 2016): basic blocks [2, 2, 2, 2], widths 64-512;
* MobileNetV2 (Sandler et al., 2018): inverted residuals with depthwise 3x3 convs;
* U-Net (Ronneberger et al., 2015): four levels, `ConvTranspose2d(k=2, s=2)` upsampling;
* DCGAN generator and discriminator (Radford et al., 2016), 64x64 images;
* pix2pix's U-Net generator (Isola et al., 2017): `k=4, s=2, p=1` down and up;
* CycleGAN's ResNet generator (Zhu et al., 2017): reflection padding, 6 residual blocks,
  `ConvTranspose2d(k=3, s=2, p=1, output_padding=1)`;
* a TCN (Bai et al., 2018): causal dilated `Conv1d(k=7)`, dilations 1-32;
* R3D-18-like (Tran et al., 2018): `Conv3d` basic blocks on a short clip.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

# ------------------------------------------------------------------------------ ResNet


class BasicBlock(nn.Module):
    """Two 3x3 convs with batch norm and a shortcut (1x1 stride-s conv when the shape changes)."""

    def __init__(self, cin: int, cout: int, stride: int, dims: int = 2) -> None:
        super().__init__()
        Conv = nn.Conv2d if dims == 2 else nn.Conv3d
        Norm = nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d
        self.conv1 = Conv(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = Norm(cout)
        self.conv2 = Conv(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = Norm(cout)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(Conv(cin, cout, 1, stride, bias=False), Norm(cout))

    def forward(self, x: Tensor) -> Tensor:
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


def resnet18(classes: int = 1000) -> nn.Module:
    layers: list[nn.Module] = [
        nn.Conv2d(3, 64, 7, 2, 3, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, 1),
    ]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes)]
    return nn.Sequential(*layers)


def r3d18(classes: int = 400) -> nn.Module:
    """ResNet-18 with 3d convs; the stem keeps the time axis (3x7x7, stride (1, 2, 2))."""
    layers: list[nn.Module] = [
        nn.Conv3d(3, 64, (3, 7, 7), (1, 2, 2), (1, 3, 3), bias=False),
        nn.BatchNorm3d(64),
        nn.ReLU(),
    ]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [BasicBlock(cin, cout, stride, dims=3), BasicBlock(cout, cout, 1, dims=3)]
        cin = cout
    layers += [nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(512, classes)]
    return nn.Sequential(*layers)


# ------------------------------------------------------------------------------ MobileNetV2


class InvertedResidual(nn.Module):
    """1x1 expand, 3x3 depthwise (stride s), 1x1 project; a shortcut when shapes match."""

    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(),
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x) if self.residual else self.body(x)


def mobilenet_v2(classes: int = 1000) -> nn.Module:
    layers: list[nn.Module] = [
        nn.Conv2d(3, 32, 3, 2, 1, bias=False),
        nn.BatchNorm2d(32),
        nn.ReLU6(),
    ]
    cin = 32
    for expand, cout, repeats, stride in (
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
        (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ):  # fmt: skip
        for i in range(repeats):
            layers.append(InvertedResidual(cin, cout, stride if i == 0 else 1, expand))
            cin = cout
    layers += [
        nn.Conv2d(cin, 1280, 1, bias=False),
        nn.BatchNorm2d(1280),
        nn.ReLU6(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(1280, classes),
    ]
    return nn.Sequential(*layers)


# ------------------------------------------------------------------------------ U-Nets


def _double_conv(cin: int, cout: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
    )  # fmt: skip


class UNet(nn.Module):
    """Encoder of double 3x3 convs and max pools; decoder of `ConvTranspose2d(k=2, s=2)`,
    concatenation with the encoder's feature map, double conv."""

    def __init__(self, cin: int = 1, classes: int = 2, width: int = 32, levels: int = 4) -> None:
        super().__init__()
        widths = [width * 2**i for i in range(levels + 1)]
        self.down = nn.ModuleList([_double_conv(cin, widths[0])])
        self.down.extend(_double_conv(a, b) for a, b in itertools.pairwise(widths))
        self.up = nn.ModuleList(
            nn.ConvTranspose2d(b, a, 2, 2) for a, b in itertools.pairwise(widths)
        )
        self.merge = nn.ModuleList(_double_conv(2 * a, a) for a in widths[:-1])
        self.head = nn.Conv2d(widths[0], classes, 1)

    def forward(self, x: Tensor) -> Tensor:
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else torch.max_pool2d(x, 2))
            skips.append(x)
        x = skips.pop()
        for up, merge in zip(reversed(self.up), reversed(self.merge)):
            x = merge(torch.cat([skips.pop(), up(x)], dim=1))
        return self.head(x)


class Pix2PixGenerator(nn.Module):
    """pix2pix's U-Net: `Conv2d(k=4, s=2, p=1)` down to 1x1, `ConvTranspose2d(k=4, s=2,
    p=1)` up, skip connections by concatenation."""

    def __init__(self, channels: int = 3, width: int = 64, levels: int = 7) -> None:
        super().__init__()
        widths = [min(width * 2**i, width * 8) for i in range(levels)]
        self.down = nn.ModuleList()
        cin = channels
        for i, w in enumerate(widths):
            norm: list[nn.Module] = [] if i in (0, levels - 1) else [nn.BatchNorm2d(w)]
            self.down.append(nn.Sequential(nn.Conv2d(cin, w, 4, 2, 1, bias=False), *norm))
            cin = w
        self.up = nn.ModuleList()
        for i in reversed(range(levels)):
            into = channels if i == 0 else widths[i - 1]
            source = widths[i] if i == levels - 1 else 2 * widths[i]
            tail: list[nn.Module] = [nn.Tanh()] if i == 0 else [nn.BatchNorm2d(into)]
            self.up.append(nn.Sequential(nn.ConvTranspose2d(source, into, 4, 2, 1), *tail))

    def forward(self, x: Tensor) -> Tensor:
        skips = []
        for block in self.down:
            x = block(torch.nn.functional.leaky_relu(x, 0.2) if skips else x)
            skips.append(x)
        skips.pop()
        for block in self.up:
            x = block(torch.relu(x))
            if skips:
                x = torch.cat([skips.pop(), x], dim=1)
        return x


# ------------------------------------------------------------------------------ GANs


def dcgan_generator(latent: int = 100, width: int = 64, channels: int = 3) -> nn.Module:
    """Latent vector (N, latent, 1, 1) to a 64x64 image by five `ConvTranspose2d(k=4)`."""
    sizes = [latent, width * 8, width * 4, width * 2, width]
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        stride, padding = (1, 0) if i == 0 else (2, 1)
        layers += [nn.ConvTranspose2d(a, b, 4, stride, padding, bias=False), nn.BatchNorm2d(b)]
        layers.append(nn.ReLU())
    layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), nn.Tanh()]
    return nn.Sequential(*layers)


def dcgan_discriminator(width: int = 64, channels: int = 3) -> nn.Module:
    """A 64x64 image to one logit by five `Conv2d(k=4)`."""
    sizes = [channels, width, width * 2, width * 4, width * 8]
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Conv2d(a, b, 4, 2, 1, bias=False))
        layers += ([] if i == 0 else [nn.BatchNorm2d(b)]) + [nn.LeakyReLU(0.2)]
    layers += [nn.Conv2d(width * 8, 1, 4, 1, 0, bias=False), nn.Flatten()]
    return nn.Sequential(*layers)


class ResnetBlock(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), nn.InstanceNorm2d(width), nn.ReLU(),
            nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), nn.InstanceNorm2d(width),
        )  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


def cyclegan_generator(channels: int = 3, width: int = 64, blocks: int = 6) -> nn.Module:
    layers: list[nn.Module] = [
        nn.ReflectionPad2d(3), nn.Conv2d(channels, width, 7), nn.InstanceNorm2d(width), nn.ReLU(),
    ]  # fmt: skip
    for w in (width, 2 * width):
        layers += [nn.Conv2d(w, 2 * w, 3, 2, 1), nn.InstanceNorm2d(2 * w), nn.ReLU()]
    layers += [ResnetBlock(4 * width) for _ in range(blocks)]
    for w in (4 * width, 2 * width):
        layers += [
            nn.ConvTranspose2d(w, w // 2, 3, 2, 1, output_padding=1),
            nn.InstanceNorm2d(w // 2),
            nn.ReLU(),
        ]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, channels, 7), nn.Tanh()]
    return nn.Sequential(*layers)


# ------------------------------------------------------------------------------ TCN


class TemporalBlock(nn.Module):
    """Two causal dilated convs: pad `(k-1)*d` on both sides, keep the first `L` outputs."""

    def __init__(self, cin: int, cout: int, kernel: int, dilation: int) -> None:
        super().__init__()
        pad = (kernel - 1) * dilation
        self.conv1 = nn.Conv1d(cin, cout, kernel, padding=pad, dilation=dilation)
        self.conv2 = nn.Conv1d(cout, cout, kernel, padding=pad, dilation=dilation)
        self.shortcut = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        length = x.shape[-1]
        y = torch.relu(self.conv1(x)[..., :length])
        y = torch.relu(self.conv2(y)[..., :length])
        return torch.relu(y + self.shortcut(x))


def tcn(channels: int = 32, width: int = 64, kernel: int = 7, levels: int = 6) -> nn.Module:
    blocks = [
        TemporalBlock(channels if i == 0 else width, width, kernel, 2**i) for i in range(levels)
    ]
    return nn.Sequential(*blocks, nn.Conv1d(width, channels, 1))


# ------------------------------------------------------------------------------ the suite


@dataclass(frozen=True)
class Network:
    """A network of the suite and the input shape it is timed on."""

    name: str
    build: Callable[[], nn.Module]
    input_shape: tuple[int, ...]


NETWORKS = (
    Network("ResNet-18", resnet18, (4, 3, 112, 112)),
    Network("MobileNetV2", mobilenet_v2, (4, 3, 112, 112)),
    Network("U-Net", UNet, (2, 1, 128, 128)),
    Network("DCGAN generator", dcgan_generator, (16, 100, 1, 1)),
    Network("DCGAN discriminator", dcgan_discriminator, (16, 3, 64, 64)),
    Network("pix2pix generator", Pix2PixGenerator, (1, 3, 128, 128)),
    Network("CycleGAN generator", cyclegan_generator, (1, 3, 128, 128)),
    Network("TCN (dilated Conv1d)", tcn, (8, 32, 1024)),
    Network("R3D-18 (Conv3d)", r3d18, (1, 3, 8, 56, 56)),
)

_SWAPS = {
    "Conv1d": "Conv1d", "Conv2d": "Conv2d", "Conv3d": "Conv3d",
    "ConvTranspose1d": "ConvTranspose1d", "ConvTranspose2d": "ConvTranspose2d",
    "ConvTranspose3d": "ConvTranspose3d",
}  # fmt: skip


def swap_convs(model: nn.Module, method: str = "auto") -> nn.Module:
    """A copy of `model` whose torch convolutions are `convnotes.nn` ones with the same
    arguments and state (weights, bias, padding mode)."""
    import convnotes.nn as cnn

    swapped = copy.deepcopy(model)
    for parent in list(swapped.modules()):
        for name, child in list(parent.named_children()):
            kind = type(child).__name__
            if type(child) is not getattr(nn, kind, None) or kind not in _SWAPS:
                continue
            kwargs = dict(
                in_channels=child.in_channels, out_channels=child.out_channels,
                kernel_size=child.kernel_size, stride=child.stride, padding=child.padding,
                dilation=child.dilation, groups=child.groups, bias=child.bias is not None,
                padding_mode=child.padding_mode, device=child.weight.device,
                dtype=child.weight.dtype, method=method,
            )  # fmt: skip
            if "Transpose" in kind:
                kwargs["output_padding"] = child.output_padding
            ours = getattr(cnn, _SWAPS[kind])(**kwargs)
            ours.load_state_dict(child.state_dict())
            setattr(parent, name, ours)
    return swapped


def conv_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The (qualified name, module) of every convolution in `model`."""
    return [(n, m) for n, m in model.named_modules() if type(m).__name__ in _SWAPS]
