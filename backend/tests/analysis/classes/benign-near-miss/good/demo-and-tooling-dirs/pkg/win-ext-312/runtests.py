import subprocess, sys
subprocess.call([sys.executable, '-m', 'pytest'])
