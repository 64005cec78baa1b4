"""The shipped reference set (GeoJSON files beside this module); see SOURCES.md."""

from pathlib import Path

#: Folder holding the shipped ``*.geojson`` files.
DATA_DIR = Path(__file__).resolve().parent
