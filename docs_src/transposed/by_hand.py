import torch
import torch.nn.functional as F


def scatter(x, w, stride):
    """Transposed conv of one 2d map: every input pixel stamps x[i, j] * w, overlaps add."""
    n, k = x.shape[0], w.shape[0]
    y = torch.zeros((n - 1) * stride + k, (n - 1) * stride + k)
    for i in range(n):
        for j in range(n):
            y[i * stride : i * stride + k, j * stride : j * stride + k] += x[i, j] * w
    return y


x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
w = torch.tensor([[1.0, 0.0], [2.0, 1.0]])

y1 = scatter(x, w, stride=1)  # 3×3: neighbouring stamps overlap
y2 = scatter(x, w, stride=2)  # 4×4: the stamps sit side by side
print(y1)
print(y2)

assert torch.equal(y1, torch.tensor([[1.0, 2, 0], [5, 9, 2], [6, 11, 4]]))
assert torch.equal(y2, torch.tensor([[1.0, 0, 2, 0], [2, 1, 4, 2], [3, 0, 4, 0], [6, 3, 8, 4]]))
for s, y in ((1, y1), (2, y2)):
    assert torch.equal(y, F.conv_transpose2d(x[None, None], w[None, None], stride=s)[0, 0])
