import torch
import torch.nn as nn


def ones_layer(padding, output_padding):
    up = nn.ConvTranspose2d(
        1, 1, kernel_size=2, stride=2, padding=padding, output_padding=output_padding
    )
    nn.init.constant_(up.weight, 1.0)  # every weight 1
    nn.init.constant_(up.bias, 0.0)  # no bias, so every value is a count of stamps
    return up


x = torch.ones(1, 1, 3, 3)
with torch.no_grad():
    y0 = ones_layer(padding=1, output_padding=0)(x)[0, 0]
    y1 = ones_layer(padding=1, output_padding=1)(x)[0, 0]
    z1 = ones_layer(padding=0, output_padding=1)(x)[0, 0]
print(y0, y1, z1, sep="\n")

# p=1: 4×4 -> 5×5, and the extra row and column hold computed values, not zeros
assert y0.shape == (4, 4) and y1.shape == (5, 5)
assert torch.equal(y1, torch.ones(5, 5))
# p=0: 6×6 -> 7×7, and no stamp reaches the extra row and column (bias only)
assert z1.shape == (7, 7)
assert torch.equal(z1[:6, :6], torch.ones(6, 6))
assert z1[6].abs().sum() == 0 and z1[:, 6].abs().sum() == 0
