import torch
import torch.nn.functional as F
from torch.testing import assert_close

import convnotes.nn as cnn

torch.manual_seed(0)
conv = cnn.Conv2d(8, 8, 3, padding=1)  # auto runs it as `phase`
x = torch.randn(1, 8, 16, 16)


def native():
    return F.conv2d(x, conv.weight, conv.bias, padding=1)


with torch.no_grad():  # inference: the gathered weight stays on conv.weight
    conv(x)
    conv.weight.mul_(2)  # an in-place write moves the version counter: seen
    assert_close(conv(x), native())
    conv.load_state_dict(cnn.Conv2d(8, 8, 3, padding=1).state_dict())  # seen
    assert_close(conv(x), native())
    stale = conv(x)
    conv.weight.data.mul_(2)  # through .data: NOT seen, the old copy is used
    assert_close(conv(x), stale)
    assert not torch.allclose(conv(x), native())
