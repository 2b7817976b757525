import torch
import torch.nn as nn

# a = 2 is smaller neither than the stride (2) nor than the dilation (1);
# the constructor does not check, the call does
up = nn.ConvTranspose2d(1, 1, 3, stride=2, dilation=1, output_padding=2)

# RuntimeError: output padding must be smaller than either stride or ...
up(torch.zeros(1, 1, 5, 5))
