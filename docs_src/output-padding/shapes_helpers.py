from convnotes.shapes import output_padding_for, output_size_range

assert output_size_range(33, 3, stride=2, padding=1) == (65, 66)
assert output_padding_for(33, 65, 3, stride=2, padding=1) == 0
assert output_padding_for(33, 66, 3, stride=2, padding=1) == 1
