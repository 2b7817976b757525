import torch
import torch.nn as nn

torch.manual_seed(0)
c_in, c_out, r, m = 4, 3, 2, 3  # upscale r with an m×m conv
subpixel = nn.Sequential(
    nn.Conv2d(c_in, c_out * r * r, m, padding=m // 2, bias=False),
    nn.PixelShuffle(r),  # (C·r², H, W) -> (C, r·H, r·W)
)
x = torch.randn(1, c_in, 5, 5)
with torch.no_grad():
    y = subpixel(x)
assert y.shape == (1, c_out, 10, 10)

# The same map as a transposed conv: kernel m·r, stride r, padding r·(m−1)/2.
# Its weight holds the conv's entries, rearranged: none added, none lost.
w = subpixel[0].weight  # (c_out·r·r, c_in, m, m)
w_t = (
    w.reshape(c_out, r, r, c_in, m, m)  # (out, phase i, phase j, in, u, v)
    .flip(-2, -1)
    .permute(3, 0, 4, 1, 5, 2)  # (in, out, u, i, v, j)
    .reshape(c_in, c_out, m * r, m * r)
)
k, p = m * r, r * (m // 2)
transposed = nn.ConvTranspose2d(c_in, c_out, k, r, p, bias=False)
with torch.no_grad():
    transposed.weight.copy_(w_t)
    assert torch.allclose(transposed(x), y, atol=1e-5)
assert w.numel() == w_t.numel()
