import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
conv = nn.Conv2d(3, 2, 3)
x = torch.randn(1, 3, 5, 5)
# Each slice of the kernel meets its own input channel; the responses are added up.
by_slices = sum(F.conv2d(x[:, c : c + 1], conv.weight[:, c : c + 1]) for c in range(3))
assert torch.allclose(conv(x), by_slices + conv.bias.view(1, -1, 1, 1), atol=1e-6)
