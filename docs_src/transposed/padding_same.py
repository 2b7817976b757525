import torch
import torch.nn as nn

# accepted, and stored as a tuple of letters
up = nn.ConvTranspose2d(1, 1, kernel_size=3, padding="same")
assert up.padding == ("s", "a", "m", "e")

# TypeError: ... must be tuple of ints, but found element of type str ...
up(torch.zeros(1, 1, 5, 5))
