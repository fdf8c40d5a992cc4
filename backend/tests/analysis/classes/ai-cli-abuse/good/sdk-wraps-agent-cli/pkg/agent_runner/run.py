import shutil
import subprocess


def ask(prompt: str, cli: str = 'claude') -> str:
    """Ask a local coding assistant; the user calls this explicitly."""
    exe = shutil.which(cli)
    if exe is None:
        raise RuntimeError(f'{cli} is not installed')
    out = subprocess.run([exe, '-p', prompt], capture_output=True, text=True, check=True)
    return out.stdout
