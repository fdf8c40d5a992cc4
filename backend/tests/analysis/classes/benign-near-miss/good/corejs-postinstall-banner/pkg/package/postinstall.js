var env = process.env;
var ADBLOCK = is(env.ADBLOCK);
var COLOR = is(env.npm_config_color);
var DISABLE = is(env.DISABLE_OPENCOLLECTIVE);
var SILENT = ['silent', 'error', 'warn'].indexOf(env.npm_config_loglevel) !== -1;
function is(it) { return !!it && it !== '0' && it !== 'false'; }
if (!ADBLOCK && !DISABLE && !SILENT) {
  console.log(COLOR ? '\u001B[96mThank you for using std-polyfills\u001B[0m' : 'Thank you for using std-polyfills');
  console.log('Funding: https://example.invalid/fund');
}
