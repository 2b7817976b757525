pip install "convnotes[torch] @ {{ wheel_url }}" jupyterlab
jupyter lab
