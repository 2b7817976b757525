# the U-Net as written: exit status 1, a mismatch found (the report below)
convnotes doctor docs_src/doctor/unet.py:build_unet --input 1,3,65,65 || test $? -eq 1
# the same, as JSON for a script
convnotes doctor docs_src/doctor/unet.py:build_unet --input 1,3,65,65 --json > /dev/null || test $? -eq 1
# with the fix: exit status 0
convnotes doctor docs_src/doctor/unet.py:build_fixed_unet --input 1,3,65,65
