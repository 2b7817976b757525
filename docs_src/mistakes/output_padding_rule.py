import torch
import torch.nn as nn

x = torch.zeros(1, 1, 5, 5)
# stride 1, dilation 2: output_padding 1 is smaller than the dilation
up = nn.ConvTranspose2d(1, 1, 3, stride=1, dilation=2, output_padding=1)
assert up(x).shape == (1, 1, 10, 10)

# stride 1, dilation 1: smaller than neither, so PyTorch refuses
refused = nn.ConvTranspose2d(1, 1, 3, output_padding=1)
refused(x)  # RuntimeError
