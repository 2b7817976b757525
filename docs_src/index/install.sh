pip install "convnotes @ {{ wheel_url }}"
convnotes shape conv -i 32 -k 3 -s 2 -p 1
convnotes solve transpose 17 33
python -m convnotes --help
