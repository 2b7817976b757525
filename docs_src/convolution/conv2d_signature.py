import inspect

import torch

# torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
#                 dilation=1, groups=1, bias=True, padding_mode="zeros",
#                 device=None, dtype=None)
defaults = {
    "stride": 1,
    "padding": 0,
    "dilation": 1,
    "groups": 1,
    "bias": True,
    "padding_mode": "zeros",
    "device": None,
    "dtype": None,
}
parameters = inspect.signature(torch.nn.Conv2d).parameters
assert list(parameters) == [
    "in_channels",
    "out_channels",
    "kernel_size",
    *defaults,
]
assert {name: parameters[name].default for name in defaults} == defaults
