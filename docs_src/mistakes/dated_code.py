import warnings

import torch
import torch.nn as nn
from torch.autograd import Variable

# gone: call F.conv2d or the layer itself
assert not hasattr(nn.Conv2d, "conv2d_forward")

v = Variable(torch.ones(2, 2))
assert type(v) is torch.Tensor and not v.requires_grad  # just a plain tensor

w = torch.empty(2, 2)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    nn.init.constant(w, 1.0)  # the old name still works, with a warning
assert any(issubclass(warning.category, FutureWarning) for warning in caught)
nn.init.constant_(w, 1.0)  # today's name: in place, with the underscore
assert torch.equal(w, torch.ones(2, 2))
