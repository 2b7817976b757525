import torch
import torch.nn.functional as F
from torch.autograd import gradgradcheck
from torch.testing import assert_close

import convnotes.functional as cf
from convnotes.functional.weight_grad import weight_grad

torch.manual_seed(0)
x = torch.randn(2, 3, 9, 9, requires_grad=True)
w = torch.randn(4, 3, 3, 3, requires_grad=True)
y = cf.conv2d(x, w, stride=2, padding=1)  # (2, 4, 5, 5)
g = torch.randn_like(y)  # the output gradient dL/dy
grad_x, grad_w = torch.autograd.grad(y, (x, w), g)  # our backward

y_torch = F.conv2d(x, w, stride=2, padding=1)  # PyTorch's conv
assert_close((grad_x, grad_w), torch.autograd.grad(y_torch, (x, w), g))

with torch.no_grad():
    # input gradient: our transposed conv of g, same weight and arguments
    assert_close(grad_x, cf.conv_transpose2d(g, w, stride=2, padding=1))
    # weight gradient: one GEMM per kernel tap (weight_grad.py)
    padding, stride, dilation = ((1, 1), (1, 1)), (2, 2), (1, 1)
    dw = weight_grad(x, g, (3, 3), padding, stride, dilation, groups=1)
    assert_close(grad_w, dw)

# double backward: the backward is our operators again, so it has one too
x = torch.randn(1, 2, 5, 5, dtype=torch.float64, requires_grad=True)
w = torch.randn(3, 2, 3, 3, dtype=torch.float64, requires_grad=True)
assert gradgradcheck(lambda x, w: cf.conv2d(x, w, stride=2, padding=1), (x, w))
