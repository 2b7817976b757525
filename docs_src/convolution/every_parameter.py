import torch

from convnotes import nn as cnn
from convnotes.shapes import conv_output_size

torch.manual_seed(0)
settings = dict(
    in_channels=4,
    out_channels=6,
    kernel_size=(3, 5),
    stride=(2, 1),
    padding=(1, 2),
    dilation=(1, 2),
    groups=2,
    bias=True,
    padding_mode="reflect",
    device="cpu",
    dtype=torch.float64,
)
ours, theirs = cnn.Conv2d(**settings), torch.nn.Conv2d(**settings)
theirs.load_state_dict(ours.state_dict())

x = torch.randn(2, 4, 9, 12, dtype=torch.float64)
assert ours.weight.shape == (6, 2, 3, 5)  # (C_out, C_in/groups, k_H, k_W)
assert ours(x).shape == (2, 6, 5, 8)
assert conv_output_size(
    (9, 12), (3, 5), stride=(2, 1), padding=(1, 2), dilation=(1, 2)
) == (5, 8)
torch.testing.assert_close(ours(x), theirs(x))
