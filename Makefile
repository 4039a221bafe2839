# pagemig — GNU make build.  `make`, `make test`, `make demo`, `make install`.
VERSION    := 0.1.0
SOVERSION  := 0
PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
CC         ?= cc
B          := build

WARN   := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers
ifdef CI
WARN   += -Werror
endif
CFLAGS ?= -O2 -g
BASE_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -DPAGEMIG_VERSION_STRING=\"$(VERSION)\"
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
SHARED_LIB := $(B)/libpagemig.so.$(SOVERSION)
CLI        := $(B)/pagemig
TEST_LIBS  := $(STATIC_LIB) -luring -lpthread -ldl

EXAMPLES := $(B)/examples/pinned-pool

.PHONY: examples all lib tests install uninstall clean deps test unit lab demo bench fuzz check-style
all: $(STATIC_LIB) $(SHARED_LIB) $(CLI)
lib: $(STATIC_LIB) $(SHARED_LIB)
tests: $(UNIT_BINS) $(FUZZ_BINS) $(LAB_BINS) $(PLUGIN_SOS)

$(B)/src/%.o: src/%.c include/pagemig.h src/internal.h
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(CFLAGS) -MMD -c -o $@ $<

$(STATIC_LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(SHARED_LIB): $(LIB_OBJS) src/libpagemig.map
	$(CC) -shared -Wl,-soname,libpagemig.so.$(SOVERSION) -Wl,--version-script=src/libpagemig.map \
		-Wl,-z,defs $(LDFLAGS) -o $@ $(LIB_OBJS) -ldl
	ln -sf libpagemig.so.$(SOVERSION) $(B)/libpagemig.so

$(B)/tools/%.o: tools/%.c include/pagemig.h tools/pagemig/cli.h tools/pagemig/out.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -MMD -c -o $@ $<

$(CLI): $(CLI_OBJS) $(STATIC_LIB)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $(CLI_OBJS) $(STATIC_LIB) -ldl

$(B)/tests/unit/%: tests/unit/%.c $(STATIC_LIB) $(wildcard tests/unit/*.h tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc $(CFLAGS) -rdynamic -o $@ $< $(TEST_LIBS)

# The CLI's table printer, tested on its own (it is not in the library).
TABLE_OBJS := $(addprefix $(B)/tools/pagemig/,table.o print.o json.o output.o)
$(B)/tests/unit/cli_table: tests/unit/cli_table.c $(TABLE_OBJS) tools/pagemig/cli.h tests/unit/unit.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc -Itools/pagemig $(CFLAGS) -o $@ $< $(TABLE_OBJS) $(STATIC_LIB)

# The table printer on arbitrary cells (tools/pagemig, like cli_table).
$(B)/tests/fuzz/fuzz_table: tests/fuzz/fuzz_table.c tests/fuzz/driver.c $(TABLE_OBJS) tools/pagemig/cli.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc -Itools/pagemig $(CFLAGS) -o $@ $< tests/fuzz/driver.c $(TABLE_OBJS) $(STATIC_LIB)

# Handler plugins used by the unit tests: they resolve pagemig_* from the program that loads them.
$(B)/tests/unit/plugins/%.so: tests/unit/plugins/%.c include/pagemig.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -MMD -fPIC -shared -o $@ $<

$(B)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c $(STATIC_LIB)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc $(CFLAGS) -o $@ $< tests/fuzz/driver.c $(TEST_LIBS)

$(B)/tests/lab/%: tests/lab/%.c $(STATIC_LIB) $(wildcard tests/lab/*.h tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Isrc $(CFLAGS) -o $@ $< $(TEST_LIBS)

examples: $(EXAMPLES)

$(B)/examples/pinned-pool: $(wildcard examples/pinned-pool/*.c examples/pinned-pool/*.h) $(STATIC_LIB)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) $(STATIC_LIB) -luring -ldl

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
test: deps
	@$(MAKE) --no-print-directory all tests
	@rm -f $(B)/results.txt
	@tests/run-unit.sh $(B)/results.txt $(UNIT_BINS) $(FUZZ_BINS) || true
	@lab/lab.sh --kernel $(or $(LAB_KERNEL),all) --results $(B)/results.txt --cli $(CLI) $(LAB_BINS) || true
	@tests/summarize.sh $(B)/results.txt

unit: all $(UNIT_BINS) $(FUZZ_BINS) $(PLUGIN_SOS)
	@rm -f $(B)/results.txt
	@tests/run-unit.sh $(B)/results.txt $(UNIT_BINS) $(FUZZ_BINS) || true
	@tests/summarize.sh $(B)/results.txt

lab: deps
	@$(MAKE) --no-print-directory all tests
	@rm -f $(B)/results.txt
	@lab/lab.sh --kernel $(or $(LAB_KERNEL),all) --results $(B)/results.txt --cli $(CLI) \
		$(if $(LAB_TESTS),$(addprefix $(B)/tests/lab/,$(LAB_TESTS)),$(LAB_BINS)) || true
	@tests/summarize.sh $(B)/results.txt

# The README's main job: a demo migration in the NUMA lab.
demo: deps
	@$(MAKE) --no-print-directory all $(B)/lab/workload
	@lab/lab.sh --kernel $(or $(LAB_KERNEL),6.12) --cli $(CLI) --demo lab/demo.sh $(B)/lab/workload

$(B)/lab/workload: lab/workload.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $<

bench: deps
	@$(MAKE) --no-print-directory all tests
	@bench/run.sh

install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libpagemig.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libpagemig.so
	install -m 644 include/pagemig.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/
	$(if $(wildcard man/*.3),install -m 644 $(wildcard man/*.3) $(DESTDIR)$(MANDIR)/man3/)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' pagemig.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/pagemig.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libpagemig.a $(DESTDIR)$(LIBDIR)/libpagemig.so* \
		$(DESTDIR)$(INCLUDEDIR)/pagemig.h $(DESTDIR)$(BINDIR)/pagemig \
		$(DESTDIR)$(LIBDIR)/pkgconfig/pagemig.pc $(DESTDIR)$(MANDIR)/man1/pagemig.1

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
