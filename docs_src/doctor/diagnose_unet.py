from unet import build_unet

from convnotes.doctor import diagnose

report = diagnose(
    build_unet, (1, 3, 65, 65)
)  # on the meta device: no memory, no arithmetic
print(report)

# 65 -> pool1 -> 32 -> pool2 -> 16; up2 gives 32 (fits),
# up1 gives 64 but the skip is 65
assert report.error["op"] == "cat#2"
assert report.error["shapes"] == [[1, 8, 65, 65], [1, 8, 64, 64]]
assert report.error["layers"] == ["enc1.3", "up1"]
assert (
    report.error["encoder"]["layer"] == "pool1"
)  # up1 had to restore pool1's input
first = report.error["fixes"][0]
assert (first["layer"], first["change"]) == ("up1", "output_padding=(1, 1)")
assert all(fix["result"].startswith("fits") for fix in report.error["fixes"])
