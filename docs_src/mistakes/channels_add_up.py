import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
conv = nn.Conv2d(3, 2, 3)
x = torch.randn(1, 3, 5, 5)
# each kernel slice meets its own input channel; the responses add up
slices = [F.conv2d(x[:, [c]], conv.weight[:, [c]]) for c in range(3)]
expected = sum(slices) + conv.bias.view(1, -1, 1, 1)
assert torch.allclose(conv(x), expected, atol=1e-6)
