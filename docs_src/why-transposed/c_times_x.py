import torch
import torch.nn.functional as F

from convnotes import conv_matrix

w = torch.randn(1, 1, 3, 3, dtype=torch.float64)
C = conv_matrix(w, (4, 4))  # 4 outputs × 16 inputs
x = torch.randn(1, 4, 4, dtype=torch.float64)
y = torch.randn(1, 2, 2, dtype=torch.float64)

assert C.shape == (4, 16)
assert torch.allclose(C @ x.flatten(), F.conv2d(x[None], w).flatten())
assert torch.allclose(C.T @ y.flatten(), F.conv_transpose2d(y[None], w).flatten())
