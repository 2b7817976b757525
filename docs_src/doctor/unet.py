"""A small U-Net (Ronneberger et al. 2015): padded 3x3 convs, max-pool down,
ConvTranspose2d(k=2, s=2) up. It fits inputs divisible by 4, not 65 x 65."""

import torch
from torch import nn


def block(c_in, c_out):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.ReLU(),
    )


class UNet(nn.Module):
    def __init__(self, restore_sizes=False):
        super().__init__()
        self.restore_sizes = restore_sizes
        self.enc1, self.enc2 = block(3, 8), block(8, 16)
        self.mid = block(16, 32)
        self.pool1, self.pool2 = nn.MaxPool2d(2), nn.MaxPool2d(2)
        self.up2, self.dec2 = (
            nn.ConvTranspose2d(32, 16, 2, stride=2),
            block(32, 16),
        )
        self.up1, self.dec1 = (
            nn.ConvTranspose2d(16, 8, 2, stride=2),
            block(16, 8),
        )
        self.head = nn.Conv2d(8, 2, 1)

    def up(self, layer, x, skip):
        if self.restore_sizes:  # the doctor's fix: give the size the skip has
            return layer(x, output_size=skip.shape[2:])
        return layer(x)

    def forward(self, x):
        s1 = self.enc1(x)
        s2 = self.enc2(self.pool1(s1))
        y = self.mid(self.pool2(s2))
        y = self.dec2(torch.cat([s2, self.up(self.up2, y, s2)], dim=1))
        y = self.dec1(torch.cat([s1, self.up(self.up1, y, s1)], dim=1))
        return self.head(y)


def build_unet():
    return UNet()


def build_fixed_unet():
    return UNet(restore_sizes=True)
