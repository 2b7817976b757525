import torch
import torch.nn as nn


def out_size(**params):
    up = nn.ConvTranspose2d(1, 1, kernel_size=3, **params)
    return tuple(up(torch.zeros(1, 1, 5, 5)).shape[-2:])


# a < s fails, but a < d holds: accepted
assert out_size(stride=1, dilation=2, output_padding=1) == (10, 10)
assert out_size(stride=2, dilation=3, output_padding=2) == (17, 17)
# per dimension: the first relies on the stride, the second on the dilation
size = out_size(stride=(2, 1), dilation=(1, 2), output_padding=(1, 1))
assert size == (12, 10)
