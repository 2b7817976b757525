import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.testing import assert_close

torch.manual_seed(0)
up = nn.ConvTranspose2d(6, 4, kernel_size=3, stride=2, groups=2, bias=False)
assert up.weight.shape == (6, 2, 3, 3)  # (in, out/groups, k, k)

# groups=2: inputs 0-2 make outputs 0-1, inputs 3-5 make outputs 2-3
x = torch.randn(1, 6, 5, 5)
halves = [
    F.conv_transpose2d(x[:, :3], up.weight[:3], stride=2),
    F.conv_transpose2d(x[:, 3:], up.weight[3:], stride=2),
]
assert_close(up(x), torch.cat(halves, dim=1))
