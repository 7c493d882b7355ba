# maasim — the one build entry.
#   make              build build/maasim (release flags)
#   make DEBUG=1      build build/debug/maasim (-O0 -g)
#   make SAN=1        build build/san/maasim (AddressSanitizer + UndefinedBehaviorSanitizer)
#   make test         build and run every test; the last line is "N passed, N failed"
#   make bench        release build, performance figures vs targets -> results/bench.json (QUICK=1: < 1 min)
#   make run          install missing packages, build, run the default study
#   make sweep        run the shipped sweeps (dispatch x PV x battery; dispatch x load), print means and intervals
#   make bench-sweep  wall time of a 200-trial sweep at -j 1 and -j 2, and the speed-up
#   make deps         install missing Debian packages (apt-get, through sudo when not root)
#   make install PREFIX=/usr/local
# Warnings are errors when CI=true (or WERROR=1).

PREFIX  ?= /usr/local
CC      ?= cc
PKGS    := gsl libcjson sqlite3 openblas

ifeq ($(SAN),1)
  BUILD := build/san
  OPT   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -DMAASIM_FAULT
  LDSAN := -fsanitize=address,undefined
else ifeq ($(DEBUG),1)
  BUILD := build/debug
  OPT   := -O0 -g -DMAASIM_FAULT
else
  BUILD := build
  OPT   := -O2 -g -march=x86-64-v2 -mtune=native
endif

.DEFAULT_GOAL := all

# Open MPI (maasim sweep under mpirun): on when mpicc exists, off with MPI=0. SAN=1 builds
# without it by default (Open MPI's own allocations flood LeakSanitizer; MPI=1 SAN=1 forces it).
# The value is recorded in $(BUILD)/mpi.flag so switching it rebuilds sweep_mpi.o.
ifeq ($(SAN),1)
  MPI ?= 0
endif
MPI ?= $(if $(shell command -v mpicc 2>/dev/null),1,0)
ifeq ($(MPI),1)
  CC := mpicc
endif
$(shell mkdir -p $(BUILD); [ "$$(cat $(BUILD)/mpi.flag 2>/dev/null)" = "$(MPI)" ] || echo $(MPI) > $(BUILD)/mpi.flag)
$(BUILD)/obj/sim/cli/sweep_mpi.o: $(BUILD)/mpi.flag
ifeq ($(MPI),1)
$(BUILD)/obj/sim/cli/sweep_mpi.o: CPPFLAGS += -DMAASIM_MPI
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wconversion \
        -Wno-sign-conversion -Wpointer-arith -Wformat=2 -Wundef -Wvla
ifneq ($(filter true 1,$(CI) $(WERROR)),)
  WARN += -Werror
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# GSL's pkg-config names its own CBLAS; take GSL without it. OpenBLAS and LAPACKE are not
# linked: models/kern.c opens them with dlopen when `maasim calibrate` needs them (their load
# and OpenBLAS's thread pool cost every other command's start-up); their headers still come
# from PKG_CFLAGS.
PKG_LIBS   := -lgsl $(shell pkg-config --libs libcjson sqlite3 2>/dev/null) -ldl -lm -lpthread

CPPFLAGS += -I. -Isim -D_GNU_SOURCE -MMD -MP
VERSION  := 0.1.0
# A `git archive` export names its commit in .commit, which git archive fills in
# (.gitattributes: export-subst); it wins, so that an export unpacked inside another
# repository's work tree does not take that repository's commit; the tree is then as exported,
# not -dirty. In a checkout .commit holds its unfilled placeholder and git names the commit.
ARCHIVED := $(shell sed -n '/^[0-9a-f]\{7,\}$$/p' .commit 2>/dev/null)
IN_GIT   := $(if $(ARCHIVED),,$(shell git rev-parse --is-inside-work-tree 2>/dev/null))
COMMIT   := $(or $(ARCHIVED),$(if $(IN_GIT),$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown),unknown))
# The version and commit (with -dirty for uncommitted changes: trial identities include it) live
# in a generated header rewritten only when they change, so exactly the objects that include it
# are rebuilt when the commit moves.
GEN_DIR  := $(BUILD)/gen
COMMIT_ID := $(COMMIT)$(if $(IN_GIT),$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty))
$(shell mkdir -p $(GEN_DIR) && printf '#define MAASIM_VERSION "%s"\n#define MAASIM_COMMIT "%s"\n' '$(VERSION)' '$(COMMIT_ID)' >$(GEN_DIR)/version.h.new && { cmp -s $(GEN_DIR)/version.h.new $(GEN_DIR)/version.h || mv $(GEN_DIR)/version.h.new $(GEN_DIR)/version.h; })
CPPFLAGS += -I$(GEN_DIR)
CFLAGS   += -std=c11 $(OPT) $(WARN) $(PKG_CFLAGS)
LDFLAGS  += $(LDSAN)

MAIN_SRC := sim/cli/main.c
LIB_SRC  := $(filter-out $(MAIN_SRC),$(wildcard sim/*/*.c models/*.c analysis/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BIN      := $(BUILD)/maasim
LIB      := $(BUILD)/libmaasim.a

.PHONY: all deps check-deps test run install clean sweep bench-sweep bench
all: $(BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/obj/$(MAIN_SRC:.c=.o) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

deps:
	@tools/deps.sh --install

check-deps:
	@tools/deps.sh --check >/dev/null 2>&1 || tools/deps.sh --install

# The release build's tests include the bench driver's second-run check (t_bench_second_run.sh).
test: check-deps
	@$(MAKE) --no-print-directory $(BIN) $(TEST_BIN) $(if $(filter build,$(BUILD)),$(BENCH_BIN))
	@tests/run.sh $(BUILD)

run: check-deps
	@$(MAKE) --no-print-directory $(BIN)
	@mkdir -p results
	@rm -f results/default.db results/default.db-wal results/default.db-shm
	@# the default study: dispatch policies on one week of a California site (README "The default study")
	$(BIN) sweep scenarios/study/default_study_sweep.json --db results/default.db
	$(BIN) report results/default.db -o results/report
	@echo "report: open results/report/report.html (Markdown: results/report/report.md)"

# The shipped sweep (scenarios/sweeps/): its table of means and intervals, and the benchmark
# of a 200-trial sweep at -j 1 and -j 2 (and on MPI ranks when built with Open MPI).
sweep: check-deps
	@$(MAKE) --no-print-directory $(BIN)
	@mkdir -p results
	$(BIN) sweep scenarios/sweeps/dispatch_x_solar_x_battery.json --db results/sweep.db
	$(BIN) sweep scenarios/sweeps/dispatch_x_load.json --db results/sweep.db
	$(BIN) report results/sweep.db -o results/sweep-report

bench-sweep:
	@$(MAKE) --no-print-directory $(BIN)
	tests/bench/sweep_bench.sh $(BIN)

# ---- bench (issue 10): always the release build, whatever SAN/DEBUG say ----
BENCH_BIN := build/bench/maasim_bench
BENCH_ID  := $(COMMIT_ID)

build/bench/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -O2 -g -march=x86-64-v2 -mtune=native $(WARN) $(PKG_CFLAGS) -c $< -o $@

$(BENCH_BIN): build/bench/obj/tests/bench/bench.o build/libmaasim.a
	$(CC) -o $@ $^ $(PKG_LIBS)

bench: check-deps
	@$(MAKE) --no-print-directory SAN= DEBUG= build/maasim $(BENCH_BIN)
	@mkdir -p results
	$(BENCH_BIN) --maasim build/maasim --out results/bench.json --commit $(BENCH_ID) $(if $(filter 1 true,$(QUICK)),--quick)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/maasim
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/maasim
	cp -R scenarios $(DESTDIR)$(PREFIX)/share/maasim/
	@# the shipped calibration table, which scenarios name as ../models/calibration.json
	install -d $(DESTDIR)$(PREFIX)/share/maasim/models
	install -m 644 models/calibration.json $(DESTDIR)$(PREFIX)/share/maasim/models/

clean:
	rm -rf build

-include build/bench/obj/tests/bench/bench.d $(LIB_OBJ:.o=.d) $(BUILD)/obj/$(MAIN_SRC:.c=.d) $(TEST_SRC:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d)

# ---- fuzzing (tests/fuzz; README "Reliability") ----------------------------------------------
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="scenario trace"]
# Builds every tests/fuzz/fuzz_<target>.c with clang, libFuzzer, ASan and UBSan into build/fuzz
# and runs each for FUZZ_SECONDS, starting from the seed corpus tests/fuzz/<target>/ (new inputs
# go to build/fuzz/corpus/<target>, crashes to build/fuzz/crashes/). Exit 1 on any crash.
FUZZ_CC      ?= $(shell command -v clang-14 || command -v clang)
FUZZ_SECONDS ?= 60
FUZZ_ALL     := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_B       := build/fuzz
FUZZ_SAN     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ     := $(LIB_SRC:%.c=$(FUZZ_B)/obj/%.o)
.PHONY: fuzz fuzz-build
$(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c $< -o $@
$(FUZZ_B)/libmaasim.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $^
# The event list's dense calendar (EVQ_DENSE_MAX pending events, 32,768 in every other build)
# from 1,024 on, and fuzz_evq's bulk pushes ten times smaller: its inputs reach every mode of
# the list with a tenth of the events and run that much faster; the code paths are the same.
$(FUZZ_B)/obj/sim/engine/evq.o: CPPFLAGS += -DEVQ_DENSE_MAX=1024
$(FUZZ_B)/fuzz_evq: CPPFLAGS += -DFZ_BULK_MAX=4000 -DFZ_MAX_EVENTS=6000
$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/feed.h $(FUZZ_B)/libmaasim.a
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(FUZZ_SAN) -fsanitize=fuzzer $(PKG_CFLAGS) $< -o $@ $(FUZZ_B)/libmaasim.a $(PKG_LIBS)
fuzz-build:
	@test -n "$(FUZZ_CC)" || { echo "make fuzz needs clang (tools/deps.sh installs clang-14)"; exit 2; }
	@$(MAKE) --no-print-directory $(FUZZ_ALL:%=$(FUZZ_B)/fuzz_%)
fuzz: fuzz-build
	@tools/fuzz.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
-include $(FUZZ_OBJ:.o=.d)
