import torch

from convnotes import nn as cnn

torch.manual_seed(0)
x = torch.randn(1, 4, 8, 8)
for groups in (1, 2, 4):
    layer = cnn.Conv2d(4, 8, 3, groups=groups)
    print(groups, tuple(layer.weight.shape), tuple(layer(x).shape))
    assert layer.weight.shape == (
        8,
        4 // groups,
        3,
        3,
    )  # each kernel has C_in/groups slices
    assert layer(x).shape == (
        1,
        8,
        6,
        6,
    )  # the output shape does not depend on groups
