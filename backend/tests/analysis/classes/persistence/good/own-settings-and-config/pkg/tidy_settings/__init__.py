import json
import pathlib
import sys


def save(settings):
    if sys.platform == 'win32':
        import winreg

        k = winreg.CreateKey(winreg.HKEY_CURRENT_USER, r'Software\TidySettings')
        winreg.SetValueEx(k, 'theme', 0, winreg.REG_SZ, settings.get('theme', 'light'))
    path = pathlib.Path.home() / '.config' / 'tidy-settings' / 'config.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings))


CONFIG = pathlib.Path.home() / '.config' / 'tidy-settings'
if sys.platform == 'win32':
    import winreg

    key = winreg.CreateKey(winreg.HKEY_CURRENT_USER, r'Software\TidySettings')
    winreg.SetValueEx(key, 'installed', 0, winreg.REG_SZ, '1')
