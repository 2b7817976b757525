import torch

from convnotes import nn as cnn
from convnotes.shapes import conv_output_size

torch.manual_seed(0)
video = torch.randn(2, 3, 8, 16, 16)  # N, C, D (frames), H, W
conv = cnn.Conv3d(3, 4, kernel_size=3, stride=(1, 2, 2), padding=1)
# the frames are kept, height and width are halved
assert conv(video).shape == (2, 4, 8, 8, 8)
size = conv_output_size((8, 16, 16), 3, stride=(1, 2, 2), padding=1)
assert size == (8, 8, 8)
