import torch
import torch.nn as nn
import torch.nn.functional as F

from convnotes import conv_matrix

torch.manual_seed(0)
w = torch.randn(1, 1, 3, 3, dtype=torch.float64)
C = conv_matrix(w, (4, 4))  # 4 outputs × 16 inputs
x = torch.randn(1, 4, 4, dtype=torch.float64)
y = torch.randn(1, 2, 2, dtype=torch.float64)

assert C.shape == (4, 16)
assert torch.allclose(C @ x.flatten(), F.conv2d(x[None], w).flatten())
y_t = F.conv_transpose2d(y[None], w)
assert torch.allclose(C.T @ y.flatten(), y_t.flatten())

assert (C != 0).sum() == 36  # 4 rows × 9 weights
nonzero_per_input = (C.T != 0).sum(dim=1)
assert nonzero_per_input.max() == 4 and nonzero_per_input[0] == 1  # corner
# 16 numbers in, 4 out: C^T C cannot be the identity
assert torch.linalg.matrix_rank(C) == 4
assert not torch.allclose(C.T @ C @ x.flatten(), x.flatten())

# tied weights: a conv's weight has the shape the transposed layer expects
conv, up = nn.Conv2d(3, 5, 3), nn.ConvTranspose2d(5, 3, 3)
assert conv.weight.shape == up.weight.shape
