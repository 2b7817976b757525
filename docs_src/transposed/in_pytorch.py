import torch
import torch.nn as nn

up = nn.ConvTranspose2d(
    in_channels=8,
    out_channels=4,
    kernel_size=3,
    stride=2,
    padding=1,
    output_padding=1,
)
x = torch.randn(1, 8, 16, 16)
assert up(x).shape == (1, 4, 32, 32)
assert up.weight.shape == (8, 4, 3, 3)  # (in, out/groups, kH, kW)
assert up.bias.shape == (4,)  # one per output channel
