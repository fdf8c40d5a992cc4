wsl --install
Invoke-WebRequest https://example.invalid/wsl.msi -OutFile wsl.msi
