import torch
import torch.nn as nn

torch.manual_seed(0)
down1 = nn.Conv2d(1, 4, 3, stride=2, padding=1)  # 65 -> 33
down2 = nn.Conv2d(4, 8, 3, stride=2, padding=1)  # 33 -> 17
# the "doubling" setting, copied without checking
up2 = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)

x = torch.randn(1, 1, 65, 65)
e1 = down1(x)
e2 = down2(e1)
d2 = up2(e2)  # 17 -> 34, not 33
assert d2.shape[-1] == 34 and e1.shape[-1] == 33

torch.cat([d2, e1], dim=1)  # RuntimeError: Sizes of tensors must match ...
