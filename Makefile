# bench - measure what parallelism buys.
#
#   make              build build/bench and libbench (static and shared)
#   make test         unit and CLI tests (the README's test command)
#   make asan         the test suite built with AddressSanitizer + UBSan
#   make tsan         the test suite built with ThreadSanitizer
#   make check-nompi  a build without Open MPI (MPI=no) and its mpi message
#   make check-nohiredis  a build without hiredis (HIREDIS=no), its queue message
#   make deps         install missing Debian packages (apt-get, as root)
#   make bench-check  the performance ratios, measured in one run
#   make fuzz         the libFuzzer targets, one per input path (every
#                     tests/fuzz/fuzz_*.c), built with clang, ASan and UBSan
#                     into build-fuzz/fuzz_<name> (tests/fuzz/README.md)
#   make fuzz-smoke   each target for FUZZ_SECONDS (default 5) over its seed
#                     corpus; fails on any finding
#   make man          the man pages, from the help text (help2man)
#   make install      PREFIX=/usr/local (DESTDIR honoured): bench, libbench,
#                     headers, man pages, bash and zsh completion
#
# CFLAGS given on the command line add to the warnings, never replace them;
# WERROR= turns -Werror off.

PREFIX ?= /usr/local
VERSION := 0.1.0
BUILD ?= build
CC ?= cc
WERROR ?= -Werror
OPT ?= -O2 -g -fno-omit-frame-pointer
SAN ?=

# V=1 shows the full command lines.
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-6s %s\n'
endif

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes $(WERROR)
PKGS := libcrypto jansson sqlite3 simdjson libseccomp
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcrypto -ljansson -lsqlite3 -lsimdjson -lseccomp)
# The library has one C++ file, the events' JSON parser (simdjson), so
# everything links with the C++ compiler. The gbench engine needs Google
# Benchmark as well; without it bench builds and says how to get it.
CXX ?= g++
LINK := $(CXX)
HAVE_GBENCH := $(shell pkg-config --exists benchmark 2>/dev/null && echo 1)
ifeq ($(HAVE_GBENCH),1)
CLI_CXX_SRC := bench/cli/engines/gbench.cc
GBENCH_CFLAGS := -DBENCH_HAVE_GBENCH
GBENCH_LIBS := $(shell pkg-config --libs benchmark)
endif

# mpi mode needs Open MPI (pkg-config ompi-c); MPI=no builds without it,
# and mpi mode then says how to get it.
MPI ?= auto
ifneq ($(MPI),no)
HAVE_MPI := $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1)
endif
ifeq ($(HAVE_MPI),1)
MPI_CFLAGS := -DBENCH_HAVE_MPI $(shell pkg-config --cflags ompi-c)
MPI_LIBS := $(shell pkg-config --libs ompi-c)
endif

# queue mode needs hiredis (pkg-config hiredis) and, at run time,
# redis-server; HIREDIS=no builds without it, and queue mode then says how
# to get it.
HIREDIS ?= auto
ifneq ($(HIREDIS),no)
HAVE_HIREDIS := $(shell pkg-config --exists hiredis 2>/dev/null && echo 1)
endif
ifeq ($(HAVE_HIREDIS),1)
HIREDIS_CFLAGS := -DBENCH_HAVE_HIREDIS $(shell pkg-config --cflags hiredis)
HIREDIS_LIBS := $(shell pkg-config --libs hiredis)
endif

DATADIR ?= $(PREFIX)/share/bench
MANDIR ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
BENCH_CFLAGS := $(WARN) $(OPT) $(SAN) -D_GNU_SOURCE -Ibench/include -Ibench -I$(BUILD) \
	-DBENCH_DATADIR='"$(DATADIR)"' $(GBENCH_CFLAGS) $(MPI_CFLAGS) $(HIREDIS_CFLAGS) \
	-fPIC -MMD -MP $(PKG_CFLAGS) $(CFLAGS)
BENCH_LDFLAGS := $(SAN) $(LDFLAGS)
BENCH_LIBS = $(PKG_LIBS) $(MPI_LIBS) $(HIREDIS_LIBS) -lstdc++ -lpthread -lm $(LIBS)

# The library: the ground, the plug-ins (workloads, executors) and the
# harness. The CLI: commands, writers, engines and the grader.
LIB_DIRS := bench/lib bench/workloads bench/executors bench/harness
CLI_DIRS := bench/cli bench/cli/writers bench/cli/engines bench/grade profilers/report
LIB_SRC := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_CXX_SRC := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.cc))
CLI_SRC := $(foreach d,$(CLI_DIRS),$(wildcard $(d)/*.c))
TEST_SRC := $(wildcard tests/unit/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(LIB_CXX_SRC:%.cc=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o) $(CLI_CXX_SRC:%.cc=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all test asan tsan check-nompi check-nohiredis deps bench-check install uninstall clean FORCE \
	fuzz fuzz-targets fuzz-smoke man

all: $(BUILD)/bench $(BUILD)/libbench.a $(BUILD)/libbench.so

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(say) CXX $<
	$(Q)$(CXX) -std=c++17 -Wall -Wextra -Werror $(OPT) $(SAN) -fPIC -MMD -MP \
		-Ibench/include -Ibench $(shell pkg-config --cflags simdjson 2>/dev/null) \
		$(CXXFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(BENCH_CFLAGS) -c $< -o $@

# The context block names the revision and flags this build really used.
$(BUILD)/buildinfo.h: FORCE
	@mkdir -p $(BUILD)
	@{ printf '#define BENCH_VERSION "%s"\n' '$(VERSION)'; \
	   printf '#define BENCH_GIT "%s"\n' "$$(git describe --always --dirty 2>/dev/null || echo unknown)"; \
	   printf '#define BENCH_CFLAGS "%s"\n' "$(strip $(OPT) $(SAN) $(CFLAGS))"; } > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/obj/bench/lib/context.o: $(BUILD)/buildinfo.h

$(BUILD)/libbench.a: $(LIB_OBJ)
	@rm -f $@
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/libbench.so: $(LIB_OBJ)
	$(say) LD $@
	$(Q)$(LINK) -shared -Wl,-soname,libbench.so.0 $(BENCH_LDFLAGS) -o $@ $^ $(BENCH_LIBS)

# The profiler `bench profile` preloads into programs: never built with
# sanitizers (it replaces malloc, which theirs replace too), nor with
# builtins (GCC turns malloc + memset into a call to calloc: itself).
# A core (core.c, save.c) and one file per profiler (cpu.c, count.c,
# mem.c). libbenchprof-mem.so is the same files with the malloc hooks
# (-DBENCH_PROF_HOOKS): the only one that replaces the program's allocator.
# The report side, profilers/report/, is part of the CLI (CLI_DIRS).
PROF_SRC := profilers/core.c profilers/save.c profilers/cpu.c profilers/count.c \
	profilers/mem.c
PROF_HDR := profilers/internal.h profilers/prof_format.h
PROF_CC = $(CC) $(WARN) $(OPT) -fno-omit-frame-pointer -D_GNU_SOURCE -Ibench/include -Iprofilers -fPIC -shared \
	-fvisibility=hidden -fno-builtin $(shell pkg-config --cflags libunwind 2>/dev/null)
PROF_LIBS = $(shell pkg-config --libs libunwind 2>/dev/null || echo -lunwind) -ldl -lpthread
$(BUILD)/libbenchprof.so: $(PROF_SRC) $(PROF_HDR) Makefile
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(PROF_CC) -o $@ $(PROF_SRC) $(PROF_LIBS)
$(BUILD)/libbenchprof-mem.so: $(PROF_SRC) $(PROF_HDR) Makefile
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(PROF_CC) -DBENCH_PROF_HOOKS -o $@ $(PROF_SRC) $(PROF_LIBS)

$(BUILD)/bench: $(CLI_OBJ) $(BUILD)/libbench.a $(BUILD)/libbenchprof.so \
		$(BUILD)/libbenchprof-mem.so
	$(say) LD $@
	$(Q)$(LINK) $(BENCH_LDFLAGS) -Wl,--export-dynamic-symbol=bench_slowlog_set_listener \
		-o $@ $(CLI_OBJ) $(BUILD)/libbench.a $(BENCH_LIBS) $(GBENCH_LIBS)

$(BUILD)/test_unit: $(TEST_OBJ) $(BUILD)/libbench.a
	$(say) LD $@
	$(Q)$(LINK) $(BENCH_LDFLAGS) -o $@ $(TEST_OBJ) $(BUILD)/libbench.a \
		$(shell pkg-config --libs check 2>/dev/null || echo -lcheck) $(BENCH_LIBS)

test: $(BUILD)/bench $(BUILD)/test_unit
	tests/run.sh $(BUILD)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" test

tsan:
	$(MAKE) BUILD=build-tsan OPT="-O1 -g" SAN="-fsanitize=thread" test

# A build without hiredis still works, and mode queue says how to get it.
check-nohiredis:
	$(MAKE) BUILD=build-nohiredis HIREDIS=no build-nohiredis/bench
	tests/cli/test_queue.sh build-nohiredis/bench without_hiredis usage_errors

# A build without Open MPI still works, and mode mpi says how to get it.
check-nompi:
	$(MAKE) BUILD=build-nompi MPI=no build-nompi/bench
	tests/nompi.sh build-nompi/bench

deps:
	scripts/install-deps.sh

# Fuzzing: every tests/fuzz/fuzz_<name>.c is a libFuzzer target, linked
# with tests/fuzz/common.c, the library and the CLI's objects but main.o.
# Everything is compiled with clang, AddressSanitizer, UBSan (any report
# aborts) and libFuzzer's coverage, in a build folder of its own; -Werror
# is off there, since clang warns about other things than gcc does.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 5
FUZZ_CC ?= clang
FUZZ_CXX ?= clang++
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/%)
FUZZ_OBJ = $(FUZZ_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/fuzz/common.o
FUZZ_CLI_OBJ = $(filter-out $(BUILD)/obj/bench/cli/main.o,$(CLI_OBJ))

fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) WERROR= \
		CXXFLAGS="$(CXXFLAGS) -Wno-error" OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-targets

fuzz-targets: $(FUZZ_BIN)
.SECONDARY: $(FUZZ_OBJ)

$(BUILD)/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/common.o \
		$(FUZZ_CLI_OBJ) $(BUILD)/libbench.a
	$(say) LD $@
	$(Q)$(LINK) $(BENCH_LDFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(BUILD)/obj/tests/fuzz/common.o $(FUZZ_CLI_OBJ) $(BUILD)/libbench.a \
		$(BENCH_LIBS) $(GBENCH_LIBS)

# A few seconds of each target; new inputs go to $(FUZZ_BUILD)/corpus,
# never into the committed seeds.
fuzz-smoke: fuzz
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench-check: $(BUILD)/bench
	scripts/bench-check.sh $(BUILD)/bench

# pkg-config file for programs built against the installed library.
$(BUILD)/bench.pc: FORCE
	@mkdir -p $(BUILD)
	@{ printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\n' '$(PREFIX)'; \
	   printf 'Name: bench\nDescription: time functions and workloads serially and in parallel, with honest statistics\n'; \
	   printf 'Version: %s\nRequires.private: %s\n' '$(VERSION)' '$(PKGS)'; \
	   printf 'Libs: -L$${libdir} -Wl,-rpath,$${libdir} -lbench\nLibs.private: -lstdc++ -lpthread -lm\nCflags: -I$${includedir}\n'; } > $@

# The man pages, from the help text (help2man): bench(1), bench-run(1), ...
man: $(BUILD)/bench
	rm -rf $(BUILD)/man
	scripts/man.sh $(BUILD)/bench $(BUILD)/man

install: all $(BUILD)/bench.pc man
	install -d $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 $(BUILD)/man/*.1 $(DESTDIR)$(MANDIR)/
	install -m 644 scripts/completion/bench.bash $(DESTDIR)$(BASHCOMPDIR)/bench
	sed 's|@BASH_COMPLETION@|$(BASHCOMPDIR)/bench|' scripts/completion/bench.zsh \
		>$(DESTDIR)$(ZSHCOMPDIR)/_bench
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/bench
	install -m 755 $(BUILD)/bench $(DESTDIR)$(PREFIX)/bin/bench
	install -m 644 $(BUILD)/libbench.a $(DESTDIR)$(PREFIX)/lib/libbench.a
	install -m 755 $(BUILD)/libbench.so $(DESTDIR)$(PREFIX)/lib/libbench.so.0
	install -d $(DESTDIR)$(PREFIX)/lib/bench
	install -m 755 $(BUILD)/libbenchprof.so $(BUILD)/libbenchprof-mem.so \
		$(DESTDIR)$(PREFIX)/lib/bench/
	ln -sf libbench.so.0 $(DESTDIR)$(PREFIX)/lib/libbench.so
	install -m 644 bench/include/bench/*.h $(DESTDIR)$(PREFIX)/include/bench/
	install -m 644 $(BUILD)/bench.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/bench.pc
	install -d $(DESTDIR)$(DATADIR)/plots
	install -m 644 plots/*.gp $(DESTDIR)$(DATADIR)/plots/
	install -d $(DESTDIR)$(DATADIR)/exercises
	cp -R exercises/. $(DESTDIR)$(DATADIR)/exercises/
	install -d $(DESTDIR)$(DATADIR)/python/bench_py/workloads \
		$(DESTDIR)$(DATADIR)/python/bench_py/modes
	install -m 644 python/bench_py/*.py $(DESTDIR)$(DATADIR)/python/bench_py/
	install -m 644 python/bench_py/workloads/*.py \
		$(DESTDIR)$(DATADIR)/python/bench_py/workloads/
	install -m 644 python/bench_py/modes/*.py $(DESTDIR)$(DATADIR)/python/bench_py/modes/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/pkgconfig/bench.pc
	rm -f $(DESTDIR)$(PREFIX)/bin/bench $(DESTDIR)$(PREFIX)/lib/libbench.a \
		$(DESTDIR)$(PREFIX)/lib/libbench.so $(DESTDIR)$(PREFIX)/lib/libbench.so.0 \
		$(DESTDIR)$(PREFIX)/lib/bench/libbenchprof.so \
		$(DESTDIR)$(PREFIX)/lib/bench/libbenchprof-mem.so
	rm -rf $(DESTDIR)$(PREFIX)/include/bench $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(MANDIR)/bench.1 $(DESTDIR)$(MANDIR)/bench-*.1 \
		$(DESTDIR)$(BASHCOMPDIR)/bench $(DESTDIR)$(ZSHCOMPDIR)/_bench

clean:
	rm -rf build build-*

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
