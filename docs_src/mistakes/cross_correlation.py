import numpy as np
import torch
import torch.nn.functional as F

x, w = np.array([1.0, 2, 0, -1, 3, 1]), np.array([1.0, 0, -1])
y = F.conv1d(torch.tensor(x).view(1, 1, -1), torch.tensor(w).view(1, 1, -1)).flatten().numpy()
print(y)
assert np.allclose(y, np.correlate(x, w))  # the same as cross-correlation
assert not np.allclose(y, np.convolve(x, w, mode="valid"))  # not the same as convolution...
assert np.allclose(y, np.convolve(x, w[::-1], mode="valid"))  # ...unless the kernel is flipped
