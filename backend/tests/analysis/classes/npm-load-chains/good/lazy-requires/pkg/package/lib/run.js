const { spawnSync } = require('child_process');
module.exports = (args = []) => spawnSync('git', ['status', ...args], { stdio: 'inherit' });
