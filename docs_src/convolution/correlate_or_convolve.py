import numpy as np
import torch
import torch.nn.functional as F

x = torch.tensor([1.0, 2.0, 0.0, -1.0, 3.0, 1.0], dtype=torch.float64)
w = torch.tensor(
    [1.0, 0.0, -2.0], dtype=torch.float64
)  # not symmetric: the flip matters


def conv1d(x, w, padding=0):
    """F.conv1d of one 1-D signal with one 1-D kernel."""
    return (
        F.conv1d(x.view(1, 1, -1), w.view(1, 1, -1), padding=padding)
        .flatten()
        .numpy()
    )


# PyTorch does not flip the kernel: it computes a cross-correlation
assert np.allclose(
    conv1d(x, w), np.correlate(x.numpy(), w.numpy(), mode="valid")
)
assert not np.allclose(
    conv1d(x, w), np.convolve(x.numpy(), w.numpy(), mode="valid")
)

# with the kernel flipped it matches np.convolve where x and w overlap fully
# ("valid")
valid = np.convolve(x.numpy(), w.numpy(), mode="valid")
assert np.allclose(conv1d(x, w.flip(-1)), valid)

# np.convolve's default, mode="full", also keeps the k - 1 partial overlaps at
# each end: that is the flipped kernel with padding k - 1
full = np.convolve(x.numpy(), w.numpy())
assert len(full) == len(x) + len(w) - 1
assert np.allclose(conv1d(x, w.flip(-1), padding=len(w) - 1), full)
print("valid:", valid)
print("full: ", full)
