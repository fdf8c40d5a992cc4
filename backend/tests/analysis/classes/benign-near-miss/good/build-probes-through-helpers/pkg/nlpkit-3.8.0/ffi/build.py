print("building the native library")
