// hash
