import torch
import torch.nn.functional as F

x = torch.tensor([[[1.0, 2.0, 0.0, -1.0, 3.0, 1.0]]])  # (N, C, L)
w = torch.tensor([[[1.0, 0.0, -1.0]]])  # (C_out, C_in, k)
y = F.conv1d(x, w)
print(y)

# y[i] = sum over m of w[m] * x[i + m], for i = 0 .. n - k
n, k = x.shape[-1], w.shape[-1]
by_hand = [
    sum(w[0, 0, m] * x[0, 0, i + m] for m in range(k)) for i in range(n - k + 1)
]
by_hand = [float(v) for v in by_hand]
assert y.flatten().tolist() == by_hand == [1.0, 3.0, -3.0, -2.0]
