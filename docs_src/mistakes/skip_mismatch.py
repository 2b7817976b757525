import torch
import torch.nn as nn

skip = torch.zeros(1, 4, 33, 33)  # an odd size from the encoder
x = torch.zeros(1, 8, 17, 17)  # 33 after k=3, s=2, p=1
# the "doubling" setting, copied without checking the sizes
up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
print(up(x).shape[-1])  # 34, not 33
torch.cat([up(x), skip], dim=1)  # RuntimeError
