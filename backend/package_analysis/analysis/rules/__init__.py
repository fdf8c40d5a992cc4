"""The rules this team writes: catalog (ids, titles), content (YARA-X), python_ast,
javascript, metadata. `engine.scan_tree` runs them; `engine.RULES_VERSION` hashes them."""
