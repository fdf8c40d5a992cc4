import subprocess
import sys


def run_pipeline(command):
    subcommands, last = [], 0
    for i, arg in enumerate(command):
        if arg == '|':
            subcommands.append(command[last:i])
            last = i + 1
    subcommands.append(command[last:])
    processes = []
    next_stdout = subprocess.PIPE
    for subcommand in reversed(subcommands):
        p = subprocess.Popen(subcommand, stdin=subprocess.PIPE, stdout=next_stdout)
        processes.append(p)
        next_stdout = p.stdin
    return processes[0].communicate()


if sys.version_info[0] == 2:
    exec("exec _code_ in _globs_, _locs_")
else:
    exec("def reraise(tp, value, tb=None):\n    raise value.with_traceback(tb)\n")
