import torch
import torch.nn.functional as F

x = torch.randn(1, 1, 9, 9, requires_grad=True)
F.conv2d(x, torch.ones(1, 1, 3, 3), stride=2).sum().backward()
print(x.grad[0, 0, :5, :5])
assert set(x.grad.unique().tolist()) == {1.0, 2.0, 4.0}
