{
 "targets": [
  {
   "target_name": "x",
   "sources": [
    "src/x.cc"
   ],
   "actions": [
    {
     "action_name": "version",
     "inputs": [
      "version.txt"
     ],
     "outputs": [
      "version.h"
     ],
     "action": [
      "node",
      "tools/version.js"
     ]
    }
   ]
  }
 ]
}
