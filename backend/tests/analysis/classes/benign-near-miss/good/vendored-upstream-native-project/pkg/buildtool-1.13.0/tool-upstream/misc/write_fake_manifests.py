print("manifests")
