import torch
import torch.nn as nn

from convnotes.shapes import conv_output_size

for i, k, s, p, a, expected in [(5, 3, 2, 0, 0, 11), (4, 3, 2, 0, 1, 10)]:
    up = nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=a)
    o = up(torch.zeros(1, 1, i, i)).shape[-1]
    assert o == expected
    # the conv with the same parameters maps o' back to i'
    assert conv_output_size(o, k, stride=s, padding=p) == i

# a conv maps both 9 and 10 to 4
assert conv_output_size(9, 3, stride=2) == 4
assert conv_output_size(10, 3, stride=2) == 4
