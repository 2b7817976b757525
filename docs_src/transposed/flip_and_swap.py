import torch
import torch.nn.functional as F
from torch.testing import assert_close

torch.manual_seed(0)
s, p, k = 2, 1, 3
x = torch.randn(1, 2, 3, 3, dtype=torch.float64)
# ConvTranspose2d's weight layout: (in, out, k, k)
w = torch.randn(2, 4, k, k, dtype=torch.float64)

stretched = torch.zeros(1, 2, 5, 5, dtype=torch.float64)  # (3 - 1) * 2 + 1
stretched[..., ::s, ::s] = x  # s - 1 zeros between pixels
q = k - 1 - p  # padding on each side: d(k - 1) - p with d = 1
# rotate by 180° and swap in/out channels
flipped = w.flip(-2, -1).transpose(0, 1)

direct = F.conv2d(F.pad(stretched, (q, q, q, q)), flipped)
assert_close(direct, F.conv_transpose2d(x, w, stride=s, padding=p))
