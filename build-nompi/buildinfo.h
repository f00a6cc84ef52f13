#define BENCH_VERSION "0.1.0"
#define BENCH_GIT "a4c2c68-dirty"
#define BENCH_CFLAGS "-O2 -g -fno-omit-frame-pointer"
