const ETH = /^0x[a-fA-F0-9]{40}$/;
const BTC = /^(1|3|bc1)[a-km-zA-HJ-NP-Z0-9]{25,39}$/;
module.exports = {
  isEth: (a) => ETH.test(a),
  isBtc: (a) => BTC.test(a),
  kind: (a) => (ETH.test(a) ? 'eth' : BTC.test(a) ? 'btc' : null),
};
