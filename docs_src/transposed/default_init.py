import math

import torch
import torch.nn as nn

torch.manual_seed(0)
up = nn.ConvTranspose2d(in_channels=16, out_channels=4, kernel_size=3)

# kaiming_uniform_(a=sqrt(5)) draws from U(-b, b) with b = 1/sqrt(fan_in), and
# fan_in = weight.size(1) * k * k: here out_channels/groups * k * k = 4 * 9
fan_in = up.weight.size(1) * 3 * 3
bound = 1 / math.sqrt(fan_in)
print(f"fan_in = {fan_in}, bound = {bound:.4f}")

assert fan_in == 36  # not in_channels * k * k = 144
assert up.weight.abs().max() <= bound
assert up.bias.abs().max() <= bound  # the bias uses the same bound
