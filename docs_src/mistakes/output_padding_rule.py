import torch
import torch.nn as nn

up = nn.ConvTranspose2d(1, 1, 3, stride=1, dilation=2, output_padding=1)
y = up(torch.zeros(1, 1, 5, 5))
assert y.shape == (1, 1, 10, 10)  # accepted with stride 1: 1 is smaller than the dilation

refused = nn.ConvTranspose2d(1, 1, 3, stride=1, dilation=1, output_padding=1)
refused(torch.zeros(1, 1, 5, 5))  # RuntimeError: not smaller than the stride or the dilation
