import torch
import torch.nn as nn

skip = torch.zeros(1, 4, 33, 33)
x = torch.zeros(1, 8, 17, 17)
up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)
y = up(x, output_size=skip.shape[-2:])  # PyTorch works out the output_padding
assert y.shape[-2:] == skip.shape[-2:]
assert torch.cat([y, skip], dim=1).shape == (1, 8, 33, 33)
