# fuzz.mk - builds and runs the libFuzzer targets.  GNU make, not
# automake: `make fuzz` (fuzz/fuzz.am) calls it from the top build
# directory with the configured flags.  Everything it makes stays under
# fuzz/ there; plugins/ and the normal objects are never touched, since a
# run loads every module in plugins/.libs.
#
# The core sources are compiled again with clang, instrumented for
# coverage and ASan+UBSan, into one archive each target links against.

FUZZ_NAMES = csv xml creds conffile template
FUZZ_SECONDS = 60
FUZZ_CC = clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LDFLAGS = $(FUZZ_SAN) -fsanitize=fuzzer

OBJDIR = fuzz/obj
CORE_SRCS = $(filter-out %/main.c,$(wildcard $(srcdir)/core/*.c))
CORE_OBJS = $(patsubst $(srcdir)/core/%.c,$(OBJDIR)/core-%.o,$(CORE_SRCS))
BINS = $(patsubst %,fuzz/fuzz_%,$(FUZZ_NAMES))
# As Makefile.am's AM_CPPFLAGS.
ALL_CFLAGS = -I. -I$(srcdir)/include -I$(srcdir)/core -I$(srcdir)/fuzz \
	-DPKGLIBDIR='"$(pkglibdir)"' -DRP_BUILDDIR='"$(abs_top_builddir)"' \
	$(CPPFLAGS) $(CFLAGS) $(FUZZ_CFLAGS) -MMD -MP

.PHONY: build run check-cc
.DELETE_ON_ERROR:

build: check-cc $(BINS)

check-cc:
	@$(FUZZ_CC) --version 2>/dev/null | grep -q clang || { \
	  echo "make fuzz needs clang with libFuzzer; FUZZ_CC='$(FUZZ_CC)' is not clang."; \
	  echo "Install it (apt-get install -y clang) or name it: make fuzz FUZZ_CC=clang-14"; \
	  exit 1; }

$(OBJDIR)/core-%.o: $(srcdir)/core/%.c
	@mkdir -p $(OBJDIR)
	@echo "  FUZZCC   $@"
	@$(FUZZ_CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJDIR)/fuzz_%.o: $(srcdir)/fuzz/fuzz_%.c
	@mkdir -p $(OBJDIR)
	@echo "  FUZZCC   $@"
	@$(FUZZ_CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJDIR)/libcore.a: $(CORE_OBJS)
	@rm -f $@
	@$(AR) rcs $@ $(CORE_OBJS)

fuzz/fuzz_%: $(OBJDIR)/fuzz_%.o $(OBJDIR)/libcore.a
	@echo "  FUZZLD   $@"
	@$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $< $(OBJDIR)/libcore.a $(LIBS)

# Each target runs on a scratch copy of its seeds and past crashes, so
# what libFuzzer adds never lands in the source tree.  All run even when
# one fails; the crashing inputs are kept in fuzz/run/NAME/.
run: build
	@failed=; \
	for n in $(FUZZ_NAMES); do \
	  dir=fuzz/run/$$n; rm -rf $$dir; mkdir -p $$dir/corpus; \
	  cp $(srcdir)/fuzz/corpus/$$n/* $$dir/corpus/; \
	  if [ -d $(srcdir)/fuzz/regressions/$$n ]; then \
	    cp $(srcdir)/fuzz/regressions/$$n/* $$dir/corpus/; fi; \
	  dict=; [ -f $(srcdir)/fuzz/$$n.dict ] && dict=-dict=$(srcdir)/fuzz/$$n.dict; \
	  echo "  FUZZ     $$n for $(FUZZ_SECONDS) s"; \
	  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	     ./fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	       -max_len=65536 -print_final_stats=1 $$dict \
	       -artifact_prefix=$$dir/ $$dir/corpus >$$dir/log 2>&1; then \
	    grep -h '^stat::number_of_executed_units\|^Done' $$dir/log | tr '\n' ' '; echo; \
	  else \
	    tail -60 $$dir/log; failed="$$failed $$n"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "fuzz: crashes in:$$failed; inputs in fuzz/run/*/crash-* (see docs/fuzzing.md)"; \
	  exit 1; fi

-include $(wildcard $(OBJDIR)/*.d)
