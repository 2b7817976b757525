import torch
import torch.nn.functional as F

ones = torch.ones(1, 1, 6, 6)
k3 = F.conv_transpose2d(ones, torch.ones(1, 1, 3, 3), stride=2)
k4 = F.conv_transpose2d(ones, torch.ones(1, 1, 4, 4), stride=2)
inner3, inner4 = k3[0, 0, 2:6, 2:6], k4[0, 0, 2:6, 2:6]
print(inner3)
print(inner4)
# k=3, s=2: uneven overlap, a checkerboard of 1, 2 and 4 contributions
assert set(inner3.unique().tolist()) == {1.0, 2.0, 4.0}
# k=4, s=2: every output gets the same number of contributions
assert torch.all(inner4 == 4)
