"""Version helpers."""
import runpy
from pathlib import Path

DEFAULTS = runpy.run_path(str(Path(__file__).with_name("defaults.cfg")))
