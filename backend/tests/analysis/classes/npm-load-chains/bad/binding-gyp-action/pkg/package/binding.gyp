{
 "targets": [
  {
   "target_name": "x",
   "actions": [
    {
     "action_name": "gen",
     "inputs": [],
     "outputs": [
      "out.h"
     ],
     "action": [
      "node",
      "tools/gen.js"
     ]
    }
   ]
  }
 ]
}
