import torch
import torch.nn as nn

torch.manual_seed(0)
down1 = nn.Conv2d(1, 4, 3, stride=2, padding=1)  # 65 -> 33
down2 = nn.Conv2d(4, 8, 3, stride=2, padding=1)  # 33 -> 17
x = torch.randn(1, 1, 65, 65)
e1 = down1(x)
e2 = down2(e1)

# fix 1: output_padding=0, right for these odd sizes only
up2 = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=0)
assert up2(e2).shape[-2:] == e1.shape[-2:]  # 17 -> 33

# fix 2: ask forward for the skip connection's size
up2 = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)
up1 = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)
d2 = torch.cat([up2(e2, output_size=e1.shape[-2:]), e1], dim=1)  # 17 -> 33
d1 = torch.cat([up1(d2, output_size=x.shape[-2:]), x], dim=1)  # 33 -> 65
assert d1.shape == (1, 5, 65, 65)
