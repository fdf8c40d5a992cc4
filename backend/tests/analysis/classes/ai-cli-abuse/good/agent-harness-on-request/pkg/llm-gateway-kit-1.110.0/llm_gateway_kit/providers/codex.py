import shutil
import subprocess


class CodexProvider:
    binary = "codex"

    def sandbox_flags(self):
        return ("--dangerously-bypass-approvals-and-sandbox",)

    def complete(self, prompt, workdir):
        exe = shutil.which(self.binary)
        if exe is None:
            raise RuntimeError("install the 'codex' CLI to use this provider")
        cmd = [exe, "exec", *self.sandbox_flags(), "--cd", workdir, prompt]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
