import torch
import torch.nn.functional as F

from convnotes.shapes import same_padding

assert same_padding(4) == ((1, 2),)  # 3 in total, the extra one on the right
torch.manual_seed(0)
x, w = torch.randn(1, 1, 7, 7), torch.randn(1, 1, 4, 4)
same = F.conv2d(
    x, w, padding="same"
)  # torch may warn: an even kernel needs a padded copy
torch.testing.assert_close(same, F.conv2d(F.pad(x, (1, 2, 1, 2)), w))
assert same.shape == x.shape == (1, 1, 7, 7)
