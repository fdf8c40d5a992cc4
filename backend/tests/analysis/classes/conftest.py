"""The trees below are fixtures read as bytes by `test_attack_classes.py`: never collected."""

collect_ignore_glob = ["*"]
