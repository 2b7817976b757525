import torch
import torch.nn as nn


def ones_layer(p, a):
    """k=2, s=2, every weight 1, bias 0: each value counts the copies on it."""
    up = nn.ConvTranspose2d(1, 1, 2, stride=2, padding=p, output_padding=a)
    nn.init.constant_(up.weight, 1.0)
    nn.init.constant_(up.bias, 0.0)
    return up


x = torch.ones(1, 1, 3, 3)
with torch.no_grad():
    y0 = ones_layer(p=1, a=0)(x)[0, 0]
    y1 = ones_layer(p=1, a=1)(x)[0, 0]
    z1 = ones_layer(p=0, a=1)(x)[0, 0]
print(y0, y1, z1, sep="\n")

# p=1: 4×4 -> 5×5, the extra row and column hold computed values, not 0
assert y0.shape == (4, 4) and y1.shape == (5, 5)
assert torch.equal(y1, torch.ones(5, 5))
# p=0: 6×6 -> 7×7, no copy reaches the extra row and column (bias only)
assert z1.shape == (7, 7)
assert torch.equal(z1[:6, :6], torch.ones(6, 6))
assert z1[6].abs().sum() == 0 and z1[:, 6].abs().sum() == 0
