{
  'targets': [{
    'target_name': 'fasthash',
    'sources': ['<!@(node tools/sources.js)'],
    'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
    'defines': ['NAPI_DISABLE_CPP_EXCEPTIONS'],
  }],
}
