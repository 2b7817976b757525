from convnotes.explain import explain_conv_output_size

explanation = explain_conv_output_size(6, 3, stride=2, padding=1)
print(explanation.text)  # the formula with the numbers substituted
assert explanation.result == 3
