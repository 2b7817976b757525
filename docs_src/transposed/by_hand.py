import torch
import torch.nn.functional as F


def scatter(x, w, s):
    """Pixel (i, j) adds the copy x[i, j] * w at (i*s, j*s); overlaps add."""
    n, k = x.shape[0], w.shape[0]
    y = torch.zeros((n - 1) * s + k, (n - 1) * s + k)
    for i in range(n):
        for j in range(n):
            y[i * s : i * s + k, j * s : j * s + k] += x[i, j] * w
    return y


x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
w = torch.tensor([[1.0, 0.0], [2.0, 1.0]])

y1 = scatter(x, w, s=1)  # 3×3: neighbouring copies overlap
y2 = scatter(x, w, s=2)  # 4×4: the copies sit side by side
print(y1)
print(y2)

assert torch.equal(y1, torch.tensor([[1.0, 2, 0], [5, 9, 2], [6, 11, 4]]))
assert torch.equal(
    y2,
    torch.tensor([[1.0, 0, 2, 0], [2, 1, 4, 2], [3, 0, 4, 0], [6, 3, 8, 4]]),
)
for s, y in ((1, y1), (2, y2)):
    torch_y = F.conv_transpose2d(x[None, None], w[None, None], stride=s)
    assert torch.equal(y, torch_y[0, 0])
