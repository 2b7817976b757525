pip install -c constraints.txt -e ".[docs]"    # install convnotes and its dependencies
