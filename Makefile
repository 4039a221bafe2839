# pagemig — GNU make build.  `make`, `make test`, `make demo`, `make install`, `make deb`.
# CFLAGS, CPPFLAGS and LDFLAGS from the environment or the command line are honoured.
VERSION    := 0.1.0
SOVERSION  := 0
PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
DESTDIR    ?=
CC         ?= cc
B          := build

WARN   := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers
ifdef CI
WARN   += -Werror
endif
CFLAGS ?= -O2 -g
# SANITIZE=1: library, CLI, plugins and tests with ASan, UBSan and LSan, in build/san/ (make unit
# SANITIZE=1, make lab SANITIZE=1).  Any undefined behaviour ends the program.
ifdef SANITIZE
B      := build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
BASE_CFLAGS := -std=gnu11 $(WARN) $(SAN_FLAGS) -D_GNU_SOURCE -Iinclude -DPAGEMIG_VERSION_STRING=\"$(VERSION)\"
LIB_CFLAGS  := $(BASE_CFLAGS) -Isrc -fPIC -fvisibility=hidden

LIB_SRCS  := $(sort $(wildcard src/*.c src/handlers/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_SRCS  := $(sort $(wildcard tools/pagemig/*.c))
CLI_OBJS  := $(CLI_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)
FUZZ_SRCS := $(sort $(filter-out tests/fuzz/driver.c,$(wildcard tests/fuzz/*.c)))
FUZZ_BINS := $(FUZZ_SRCS:%.c=$(B)/%)
LAB_SRCS  := $(sort $(wildcard tests/lab/*.c))
LAB_BINS  := $(LAB_SRCS:%.c=$(B)/%)
PLUGIN_SRCS := $(sort $(wildcard tests/unit/plugins/*.c))
PLUGIN_SOS  := $(PLUGIN_SRCS:%.c=$(B)/%.so)

STATIC_LIB := $(B)/libpagemig.a
SHARED_REAL := $(B)/libpagemig.so.$(VERSION)
SHARED_LIB := $(B)/libpagemig.so.$(SOVERSION)
CLI        := $(B)/pagemig
TEST_LIBS  := $(STATIC_LIB) -luring -lpthread -ldl

EXAMPLES := $(B)/examples/pinned-pool

.PHONY: examples all lib tests install uninstall clean deps test unit lab demo bench fuzz check-style deb
all: $(STATIC_LIB) $(SHARED_LIB) $(CLI)
lib: $(STATIC_LIB) $(SHARED_LIB)
tests: $(UNIT_BINS) $(FUZZ_BINS) $(LAB_BINS) $(PLUGIN_SOS) $(EXAMPLES)

$(B)/src/%.o: src/%.c include/pagemig.h src/internal.h
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -c -o $@ $<

$(STATIC_LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# The real file is libpagemig.so.VERSION; libpagemig.so.SOVERSION (the soname) and libpagemig.so
# (for -lpagemig) are links to it.
$(SHARED_REAL): $(LIB_OBJS) src/libpagemig.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,libpagemig.so.$(SOVERSION) -Wl,--version-script=src/libpagemig.map \
		-Wl,-z,defs $(SAN_FLAGS) $(LDFLAGS) -o $@ $(LIB_OBJS) -lpthread -ldl

$(SHARED_LIB): $(SHARED_REAL)
	ln -sf libpagemig.so.$(VERSION) $@
	ln -sf libpagemig.so.$(SOVERSION) $(B)/libpagemig.so

$(B)/tools/%.o: tools/%.c include/pagemig.h tools/pagemig/cli.h tools/pagemig/out.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -c -o $@ $<

$(CLI): $(CLI_OBJS) $(STATIC_LIB)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -rdynamic -o $@ $(CLI_OBJS) $(STATIC_LIB) -lpthread -ldl

$(B)/tests/unit/%: tests/unit/%.c $(STATIC_LIB) $(wildcard tests/unit/*.h tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $< $(TEST_LIBS)

# The CLI's table printer, tested on its own (it is not in the library).
TABLE_OBJS := $(addprefix $(B)/tools/pagemig/,table.o print.o json.o output.o)
$(B)/tests/unit/cli_table: tests/unit/cli_table.c $(TABLE_OBJS) $(STATIC_LIB) tools/pagemig/cli.h tests/unit/unit.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc -Itools/pagemig $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TABLE_OBJS) $(STATIC_LIB)

# The table printer on arbitrary cells (tools/pagemig, like cli_table).
$(B)/tests/fuzz/fuzz_table: tests/fuzz/fuzz_table.c tests/fuzz/driver.c $(TABLE_OBJS) $(STATIC_LIB) tools/pagemig/cli.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc -Itools/pagemig $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/driver.c $(TABLE_OBJS) $(STATIC_LIB)

# Handler plugins used by the unit tests: they resolve pagemig_* from the program that loads them.
$(B)/tests/unit/plugins/%.so: tests/unit/plugins/%.c include/pagemig.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -MMD -fPIC -shared -o $@ $<

$(B)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c $(STATIC_LIB)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/driver.c $(TEST_LIBS)

$(B)/tests/lab/%: tests/lab/%.c $(STATIC_LIB) $(wildcard tests/lab/*.h tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_LIBS)

examples: $(EXAMPLES)

$(B)/examples/pinned-pool: $(wildcard examples/pinned-pool/*.c examples/pinned-pool/*.h) $(STATIC_LIB)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(STATIC_LIB) -luring -lpthread -ldl

# libFuzzer builds of the same targets (clang), for long fuzzing sessions by hand.
fuzz:
	@mkdir -p $(B)/fuzz
	for f in $(FUZZ_SRCS); do \
		clang $(BASE_CFLAGS) -Isrc -Itools/pagemig -g -O1 -fsanitize=fuzzer,address,undefined \
			-o $(B)/fuzz/$$(basename $$f .c) $$f $(LIB_SRCS) \
			$(addprefix tools/pagemig/,table.c print.c json.c output.c) -ldl || exit 1; done

deps:
	@scripts/install-deps.sh

# The README's test command: deps, build, host unit tests, lab suite on both kernels.
LAB_EXTRAS := $(EXAMPLES)

test: deps
	@$(MAKE) --no-print-directory all tests
	@rm -f $(B)/results.txt
	@tests/run-unit.sh $(B)/results.txt $(UNIT_BINS) $(FUZZ_BINS) || true
	@lab/lab.sh --kernel $(or $(LAB_KERNEL),all) --results $(B)/results.txt --cli $(CLI) \
		$(addprefix --extra ,$(LAB_EXTRAS)) $(LAB_BINS) || true
	@tests/summarize.sh $(B)/results.txt

unit: all $(UNIT_BINS) $(FUZZ_BINS) $(PLUGIN_SOS)
	@rm -f $(B)/results.txt
	@tests/run-unit.sh $(B)/results.txt $(UNIT_BINS) $(FUZZ_BINS) || true
	@tests/summarize.sh $(B)/results.txt

# With SANITIZE=1 the lab runs the sanitized CLI (build/san/pagemig) under the plain test programs
# and examples of build/: a sanitized target process maps terabytes of shadow memory, which is
# not what the tests mean to move (and not what their helpers can count).
lab: deps
	@$(MAKE) --no-print-directory all tests
	$(if $(SANITIZE),@$(MAKE) --no-print-directory SANITIZE= tests $(EXAMPLES:$(B)/%=build/%))
	@rm -f $(B)/results.txt
	@lab/lab.sh --kernel $(or $(LAB_KERNEL),all) --results $(B)/results.txt --cli $(CLI) \
		$(addprefix --extra ,$(LAB_EXTRAS:$(B)/%=build/%)) \
		$(if $(LAB_TESTS),$(addprefix build/tests/lab/,$(LAB_TESTS)),$(LAB_BINS:$(B)/%=build/%)) || true
	@tests/summarize.sh $(B)/results.txt

# The README's main job: a demo migration in the NUMA lab.
demo: deps
	@$(MAKE) --no-print-directory all $(B)/lab/workload $(EXAMPLES)
	@lab/lab.sh --kernel $(or $(LAB_KERNEL),6.12) --cli $(CLI) $(addprefix --extra ,$(LAB_EXTRAS)) \
		--demo lab/demo.sh $(B)/lab/workload

$(B)/lab/workload: lab/workload.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

bench: deps
	@$(MAKE) --no-print-directory all tests
	@bench/run.sh

# man 3 NAME finds a page for every export: one `.so` link per function of include/pagemig.h to
# libpagemig(3), which describes them all (tests/unit/install.c checks both).
MAN3_FUNCS := $(shell sed -n 's/^PAGEMIG_API [^()]*[ *]\(pagemig_[a-z0-9_]*\)[()].*/\1/p' include/pagemig.h)
MAN3_PAGES := $(notdir $(wildcard man/*.3))
# pagemig.pc: libdir and includedir relative to ${prefix} when they are under PREFIX.
pc_rel = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(SHARED_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libpagemig.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libpagemig.so.$(SOVERSION)
	ln -sf libpagemig.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libpagemig.so
	install -m 644 include/pagemig.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(addprefix man/,$(MAN3_PAGES)) $(DESTDIR)$(MANDIR)/man3/
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7/
	for f in $(filter-out $(MAN3_PAGES:.3=),$(MAN3_FUNCS)); do \
		echo '.so man3/libpagemig.3' > $(DESTDIR)$(MANDIR)/man3/$$f.3 || exit 1; chmod 644 $(DESTDIR)$(MANDIR)/man3/$$f.3; done
	install -m 644 completion/pagemig $(DESTDIR)$(BASHCOMPDIR)/pagemig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pc_rel,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call pc_rel,$(INCLUDEDIR))|' -e 's|@VERSION@|$(VERSION)|' \
		pagemig.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/pagemig.pc

# Everything install installed, and only that (the directories stay).
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libpagemig.a $(DESTDIR)$(LIBDIR)/libpagemig.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libpagemig.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libpagemig.so \
		$(DESTDIR)$(INCLUDEDIR)/pagemig.h $(DESTDIR)$(BINDIR)/pagemig $(DESTDIR)$(PKGCONFIGDIR)/pagemig.pc \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(MAN3_PAGES) $(addsuffix .3,$(MAN3_FUNCS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(wildcard man/*.7))) \
		$(DESTDIR)$(BASHCOMPDIR)/pagemig

# Debian packages (libpagemig0, libpagemig-dev, pagemig) and lintian's verdict, built from a copy of
# the tree in $(B)/deb; not part of `make test`.  Installs debhelper and lintian when missing.
deb:
	@scripts/deb.sh $(B)/deb

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
