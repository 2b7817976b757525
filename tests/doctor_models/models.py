"""Models the doctor is tested on (factories, as a user's file would hold them)."""

from __future__ import annotations

import itertools

import torch
from torch import nn


def block(c_in: int, c_out: int, padding: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=padding), nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=padding), nn.ReLU(),
    )  # fmt: skip


class UNet(nn.Module):
    """A small U-Net: 3 levels, max-pool down, ConvTranspose2d(k2, s2) up, cat skips."""

    def __init__(self, padding: int = 1, crop: bool = False) -> None:
        super().__init__()
        self.crop = crop
        self.enc1, self.enc2, self.enc3 = (
            block(3, 8, padding),
            block(8, 16, padding),
            block(16, 32, padding),
        )
        self.pool1, self.pool2 = nn.MaxPool2d(2), nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec2 = block(32, 16, padding)
        self.up1 = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec1 = block(16, 8, padding)
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        s1 = self.enc1(x)
        s2 = self.enc2(self.pool1(s1))
        y = self.enc3(self.pool2(s2))
        y = self.dec2(torch.cat([s2, self.up2(y)], dim=1))
        y = self.dec1(torch.cat([s1, self.up1(y)], dim=1))
        return self.head(y)


def unet_padded() -> nn.Module:
    return UNet(padding=1)


def unet_valid() -> nn.Module:
    return UNet(padding=0)


class StridedUNet(nn.Module):
    """Encoder Conv2d(k3, s2, p1), decoder ConvTranspose2d(k4, s2, p1), additive skips."""

    def __init__(self, dims: int = 2) -> None:
        super().__init__()
        conv = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[dims]
        up = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[dims]
        self.down1, self.down2 = conv(2, 4, 3, 2, 1), conv(4, 8, 3, 2, 1)
        self.up2, self.up1 = up(8, 4, 4, 2, 1), up(4, 2, 4, 2, 1)

    def forward(self, x):
        s1 = self.down1(x)
        y = self.down2(s1)
        y = self.up2(y) + s1
        return self.up1(y) + x


def encdec_1d() -> nn.Module:
    return StridedUNet(1)


def encdec_2d() -> nn.Module:
    return StridedUNet(2)


def encdec_3d() -> nn.Module:
    return StridedUNet(3)


def dcgan_generator() -> nn.Module:
    """DCGAN (Radford et al. 2016): z (N, 100, 1, 1) -> (N, 3, 64, 64)."""
    layers, c = [nn.ConvTranspose2d(100, 512, 4, 1, 0), nn.BatchNorm2d(512), nn.ReLU()], 512
    for _ in range(3):
        layers += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1), nn.BatchNorm2d(c // 2), nn.ReLU()]
        c //= 2
    layers += [nn.ConvTranspose2d(c, 3, 4, 2, 1), nn.Tanh()]
    return nn.Sequential(*layers)


class Pix2Pix(nn.Module):
    """A pix2pix-style U-Net generator (Isola et al. 2017): Conv(k4, s2, p1) down,
    ConvTranspose(k4, s2, p1) up, cat skips; exact for inputs divisible by 2**depth."""

    def __init__(self, depth: int = 4) -> None:
        super().__init__()
        chans = [3] + [8 * 2**j for j in range(depth)]
        self.downs = nn.ModuleList(nn.Conv2d(a, b, 4, 2, 1) for a, b in itertools.pairwise(chans))
        ups = []
        for j in reversed(range(depth)):
            c_in = chans[j + 1] if j == depth - 1 else 2 * chans[j + 1]
            ups.append(nn.ConvTranspose2d(c_in, chans[j] if j else 3, 4, 2, 1))
        self.ups = nn.ModuleList(ups)

    def forward(self, x):
        skips = []
        for down in self.downs:
            x = down(x)
            skips.append(x)
        skips.pop()
        for up in self.ups[:-1]:
            x = torch.cat([up(x), skips.pop()], dim=1)
        return self.ups[-1](x)


def pix2pix() -> nn.Module:
    return Pix2Pix()


class Classifier(nn.Module):
    """A Linear after the convs: fits one input size only."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


def classifier() -> nn.Module:
    return Classifier()


class InterpolateDecoder(nn.Module):
    """Upsampling with F.interpolate (no module to hook): located by the function's name."""

    def __init__(self) -> None:
        super().__init__()
        self.down = nn.Conv2d(3, 3, 3, stride=2, padding=1)

    def forward(self, x):
        up = nn.functional.interpolate(self.down(x), scale_factor=2.0)
        return up + x


def interpolate_decoder() -> nn.Module:
    return InterpolateDecoder()


def not_a_model():
    return 42
