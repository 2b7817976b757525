import torch

from convnotes import nn as cnn
from convnotes.shapes import conv_transpose_output_size

torch.manual_seed(0)
up = cnn.ConvTranspose1d(4, 2, kernel_size=4, stride=2, padding=1)
assert up.weight.shape == (4, 2, 4)  # (C_in, C_out, k)
assert up(torch.randn(2, 4, 50)).shape == (2, 2, 100)
assert conv_transpose_output_size(50, 4, stride=2, padding=1) == 100
