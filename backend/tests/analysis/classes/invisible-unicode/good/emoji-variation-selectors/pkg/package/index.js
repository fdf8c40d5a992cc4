const EMOJI = {
  heart: '❤️',
  sun: '☀️',
  family: '👨‍👩‍👧',
  flag_scotland: '🏴󠁧󠁢󠁳󠁣󠁴󠁿',
};
module.exports = (name) => EMOJI[name];
