// The smallest program to spawn in benchmarks: exits 0. Linked statically so
// that no dynamic loader's work is measured.
int main() { return 0; }
