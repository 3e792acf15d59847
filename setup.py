"""Package discovery (the rest of the metadata is in pyproject.toml).

The bundled data live in the repository's top-level ``data/`` folder (a fixed
part of the layout) and are installed as the package ``alliance_index.data``,
so an installed wheel carries them and works from any directory.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["alliance_index", "alliance_index.*"]) + ["alliance_index.data"],
    package_dir={"alliance_index.data": "data"},
)
