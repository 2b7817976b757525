import torch
import torch.nn.functional as F
from torch.testing import assert_close

torch.manual_seed(0)
w = torch.randn(2, 3, 3, 3, dtype=torch.float64)  # conv: 3 -> 2 channels
z = torch.randn(1, 3, 6, 8, dtype=torch.float64, requires_grad=True)
y = F.conv2d(z, w, stride=2, padding=1)  # (1, 2, 3, 4)
g = torch.randn_like(y)  # incoming gradient
(grad_z,) = torch.autograd.grad(y, z, grad_outputs=g)
up = F.conv_transpose2d(g, w, stride=2, padding=1, output_padding=1)
assert_close(grad_z, up)
