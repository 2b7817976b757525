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
assert torch.allclose(C.T @ y.flatten(), F.conv_transpose2d(y[None], w).flatten())

assert (C != 0).sum() == 36  # 4 rows × 9 weights
assert (C.T != 0).sum(dim=1).max() == 4 and (C.T[0] != 0).sum() == 1  # a corner: 1
assert torch.linalg.matrix_rank(C) == 4  # 16 numbers in, 4 out: C^T C is no inverse
assert not torch.allclose(C.T @ C @ x.flatten(), x.flatten())

# tied weights: the conv's weight has exactly the shape the transposed layer expects
assert nn.Conv2d(3, 5, 3).weight.shape == nn.ConvTranspose2d(5, 3, 3).weight.shape
