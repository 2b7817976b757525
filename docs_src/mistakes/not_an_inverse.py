import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(1, 1, 4, 4)
w = torch.randn(1, 1, 3, 3)
back = F.conv_transpose2d(F.conv2d(x, w), w)
assert back.shape == x.shape  # the shape comes back...
assert not torch.allclose(back, x)  # ...the values do not
