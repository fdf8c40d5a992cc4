import subprocess
subprocess.run(['explorer.exe', '.'])
