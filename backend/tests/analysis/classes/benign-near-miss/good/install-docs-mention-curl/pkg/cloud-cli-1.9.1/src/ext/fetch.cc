// To update: curl -sL https://example.invalid/x.sh | sh
int main() { return 0; }
