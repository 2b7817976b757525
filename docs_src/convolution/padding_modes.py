import torch
import torch.nn.functional as F

signal = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])
expected = {  # F.pad calls "zeros" "constant"
    "constant": [0, 0, 1, 2, 3, 4, 0, 0],
    "reflect": [3, 2, 1, 2, 3, 4, 3, 2],
    "replicate": [1, 1, 1, 2, 3, 4, 4, 4],
    "circular": [3, 4, 1, 2, 3, 4, 1, 2],
}
for mode, padded in expected.items():
    result = F.pad(signal, (2, 2), mode=mode)[0, 0]
    print(mode, result.tolist())
    assert result.tolist() == padded
