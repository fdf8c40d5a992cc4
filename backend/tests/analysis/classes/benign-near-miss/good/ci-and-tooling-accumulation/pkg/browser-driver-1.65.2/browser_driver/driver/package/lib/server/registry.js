const { spawn } = require('child_process');
exports.install = (exe) => spawn(exe, ['--version']);
