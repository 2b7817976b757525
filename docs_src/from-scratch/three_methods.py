import torch
import torch.nn.functional as F

import convnotes.functional as cf

torch.manual_seed(0)
x, w = torch.randn(2, 4, 9, 9), torch.randn(8, 2, 3, 3)
for method in ["direct", "unrolled", "im2col"]:
    y = cf.conv2d(x, w, stride=2, padding=1, groups=2, method=method)
    expected = F.conv2d(x, w, stride=2, padding=1, groups=2)
    torch.testing.assert_close(y, expected)
