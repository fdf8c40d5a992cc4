import subprocess
subprocess.run(['true'])
