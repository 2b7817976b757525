import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(1, 2, 3, 3)
w = torch.randn(2, 4, 3, 3)  # ConvTranspose weight: (in, out, k, k)
stretched = torch.zeros(1, 2, 5, 5)
stretched[..., ::2, ::2] = x  # s=2: one zero between neighbours
# rotate the kernel by 180° and swap its in and out channels
flipped = w.flip(-2, -1).transpose(0, 1)
direct = F.conv2d(F.pad(stretched, (2, 2, 2, 2)), flipped)
transposed = F.conv_transpose2d(x, w, stride=2)
assert torch.allclose(direct, transposed, atol=1e-5)
