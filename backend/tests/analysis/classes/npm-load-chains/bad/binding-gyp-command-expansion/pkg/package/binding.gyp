{
  'targets': [{
    'target_name': 'addon',
    'sources': ['src/addon.cc', '<!(node scripts/gen.js)'],
  }],
}
