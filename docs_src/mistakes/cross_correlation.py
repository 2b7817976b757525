import numpy as np
import torch
import torch.nn.functional as F

x, w = np.array([1.0, 2, 0, -1, 3, 1]), np.array([1.0, 0, -1])
xt, wt = torch.tensor(x).view(1, 1, -1), torch.tensor(w).view(1, 1, -1)
y = F.conv1d(xt, wt).flatten().numpy()
print(y)
# the same as cross-correlation
assert np.allclose(y, np.correlate(x, w))
# not the same as convolution...
assert not np.allclose(y, np.convolve(x, w, mode="valid"))
# ...unless the kernel is flipped first
assert np.allclose(y, np.convolve(x, w[::-1], mode="valid"))
