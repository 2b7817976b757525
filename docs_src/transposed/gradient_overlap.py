import torch
import torch.nn.functional as F


def input_gradient(k, s):
    """Input gradient of a conv with all-ones kernel and all-ones upstream."""
    z = torch.zeros(1, 1, 12, 12, requires_grad=True)
    y = F.conv2d(z, torch.ones(1, 1, k, k), stride=s, padding=1)
    (grad,) = torch.autograd.grad(y, z, grad_outputs=torch.ones_like(y))
    return grad[0, 0, 3:-3, 3:-3]  # the interior, away from the borders


uneven = input_gradient(k=3, s=2)  # 3 is not divisible by 2
even = input_gradient(k=4, s=2)  # 4 is
print(uneven)
# a checkerboard of 1, 2 and 4 copies; with k=4 every pixel gets 4
assert uneven.unique().tolist() == [1.0, 2.0, 4.0]
assert even.unique().tolist() == [4.0]
