import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.arange(16.0).reshape(1, 1, 4, 4)
w = torch.randn(1, 1, 3, 3)
y = F.conv2d(x, w)  # 4×4 -> 2×2
x_back = F.conv_transpose2d(y, w)  # 2×2 -> 4×4

assert x_back.shape == x.shape  # the shape comes back
assert not torch.allclose(x_back, x)  # the values do not
