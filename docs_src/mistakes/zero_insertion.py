import torch
import torch.nn.functional as F

torch.manual_seed(0)
x, w = torch.randn(1, 2, 3, 3), torch.randn(2, 4, 3, 3)  # ConvTranspose weight: (in, out, k, k)
stretched = torch.zeros(1, 2, 5, 5)
stretched[..., ::2, ::2] = x  # s=2: one zero between neighbouring inputs
flipped = w.flip(-2, -1).transpose(0, 1)  # rotate by 180°, swap in and out channels
direct = F.conv2d(F.pad(stretched, (2, 2, 2, 2)), flipped)
assert torch.allclose(direct, F.conv_transpose2d(x, w, stride=2), atol=1e-5)
