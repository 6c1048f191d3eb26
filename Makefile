# staticmlp: build the programs and run the tests with nothing but a C++17 compiler and make.
#   make demo                      fit the lecture's sine data, write plots/sine_relu.{gp,png}
#   make test                      build and run the Catch2 suite and the compile-fail checks
#   make test CXX=clang++          the same with clang++
#   make test SANITIZE=1           the same under AddressSanitizer and UndefinedBehaviorSanitizer
#   make test-kernels              the 1-H-1 kernels' tests at the build's own width (in make test)
#   make test-vector-widths        the vector kernels' tests built for AVX2 and AVX-512 too
#   make bench                     print training throughput and memory footprint tables
#   make fuzz                      fuzz the model loader for FUZZ_SECONDS (60) with libFuzzer
#   make scan-float-math           every float through tanh, sigmoid, exp and expm1 vs glibc
#   make format                    apply .clang-format to every source file
# Builds go to build/<compiler>[-sanitize]/, so the variants do not overwrite each other.

CXX ?= g++
SANITIZE ?=
OPTIMIZE ?= -O2
# STATICMLP_SHADOW_WARNINGS keeps -Wshadow on inside the engine headers, which switch it off for
# other programs (include/staticmlp/warnings.hpp), so that the project's builds still check them.
SHADOW_CHECK := -DSTATICMLP_SHADOW_WARNINGS
WARNINGS := -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror $(SHADOW_CHECK)
# No contraction into FMA, so that run-time arithmetic matches constant evaluation bit for bit.
FLOAT_FLAGS := -ffp-contract=off
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
# GCC 12 reports false maybe-uninitialized warnings inside libstdc++ when sanitizing.
ifeq ($(findstring clang,$(CXX)),)
SANITIZE_FLAGS += -Wno-maybe-uninitialized
endif
EXTRA_CXXFLAGS ?=
# A failed or interrupted recipe leaves no half-written target, such as a precompiled header,
# that a later make would take as up to date.
.DELETE_ON_ERROR:

BUILD_NAME := $(notdir $(firstword $(CXX)))$(if $(SANITIZE),-sanitize)
BUILD := build/$(BUILD_NAME)
# The build directory as a command prefix: ./ before a relative BUILD, none before an absolute one.
BUILD_RUN = $(if $(filter /%,$(BUILD)),$(BUILD),./$(BUILD))
ALL_CXXFLAGS := -std=c++17 $(OPTIMIZE) $(WARNINGS) $(FLOAT_FLAGS) -Iinclude \
  $(if $(SANITIZE),$(SANITIZE_FLAGS)) $(EXTRA_CXXFLAGS)
TEST_CXXFLAGS := $(ALL_CXXFLAGS)

HEADERS := $(wildcard include/staticmlp/*.hpp)
# The slowest files to compile come first, so that `make -j2` starts them first and the two
# cores finish together. The kernels' tests build into programs of their own (test-kernels).
SLOW_TEST_SOURCES := tests/test_dispatch.cpp tests/test_fit.cpp
KERNEL_TEST_SOURCE := tests/test_one_hidden_layer.cpp
TEST_SOURCES := $(SLOW_TEST_SOURCES) \
  $(filter-out $(SLOW_TEST_SOURCES) $(KERNEL_TEST_SOURCE),$(wildcard tests/test_*.cpp))
TEST_OBJECTS := $(patsubst tests/%.cpp,$(BUILD)/tests/%.o,$(TEST_SOURCES))
CATCH_HEADER := /usr/include/catch2/catch.hpp

.PHONY: all demo test test-unit test-allocation test-compile-fail test-engine-headers format clean \
  ensure-catch2
.PHONY: bench bench-csv bench-build ensure-eigen
.PHONY: test-cpp-header fuzz ensure-fuzzer

all: $(BUILD)/sine_demo $(BUILD)/readme_example

# Installs a Debian package when a tool is missing and we are root on Debian; otherwise stops
# with the package's name. $(1): a shell test that succeeds when the tool is there;
# $(2): the Debian packages; $(3): what the tool is, for the messages.
define require
	@if ! $(1) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "$(3) is missing: installing Debian's $(2) with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2)) \
	      >/dev/null || { echo "error: apt-get install $(2) failed" >&2; exit 1; }; \
	  else \
	    echo "error: $(3) not found: install the Debian package $(2) (apt-get install $(2))" >&2; \
	    exit 1; \
	  fi; \
	fi
endef

# ---------------------------------------------------------------- programs
$(BUILD)/%: src/%.cpp $(HEADERS) $(wildcard src/*.hpp)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) $< -o $@

# As root on Debian the demo installs gnuplot-nox to render its PNG. Elsewhere, without gnuplot,
# it still writes the script and says how to render it.
demo: $(BUILD)/sine_demo
	@mkdir -p plots
	$(BUILD_RUN)/sine_demo plots/sine_relu.gp
	@if ! command -v gnuplot >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	    command -v apt-get >/dev/null 2>&1; then \
	  echo "gnuplot is missing: installing Debian's gnuplot-nox with apt-get"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox) \
	    >/dev/null || echo "warning: apt-get install gnuplot-nox failed" >&2; \
	fi
	@if command -v gnuplot >/dev/null 2>&1; then \
	  echo "gnuplot plots/sine_relu.gp"; \
	  gnuplot plots/sine_relu.gp && echo "wrote plots/sine_relu.png"; \
	else \
	  echo "gnuplot not found: the script is written; to render it, install gnuplot-nox" \
	       "(apt-get install gnuplot-nox) and run: gnuplot plots/sine_relu.gp"; \
	fi
	$(BUILD_RUN)/autodiff_quiz --dot plots/autodiff_quiz.dot

# ---------------------------------------------------------------- tests
ensure-catch2:
	$(call require,test -f $(CATCH_HEADER),catch2,the Catch2 test framework header $(CATCH_HEADER))

# What needs Catch2 depends on ensure-catch2 only while the header is missing. The phony target
# otherwise made `make -j2` start other work first and the slowest test files 13 s late.
NEEDS_CATCH2 := $(if $(wildcard $(CATCH_HEADER)),,ensure-catch2)

# Catch2's runner: its main and the framework's own code. Debian's catch2 package ships them
# compiled, as libCatch2WithMain.a, which saves compiling tests/catch_main.cpp (8 s at -O0).
# Without that library the runner is compiled from that file. Either way it is built without the
# sanitizers, so that allocation_main.cpp, which replaces malloc and operator new as the
# sanitizers do, can link it too. Set CATCH_RUNNER_LIBRARY to another name to compile the file.
CATCH_RUNNER_LIBRARY ?= libCatch2WithMain.a
$(BUILD)/tests/catch_runner.a: | $(NEEDS_CATCH2)
	@mkdir -p $(dir $@)
	@rm -f $@
	@library="$$($(CXX) -print-file-name=$(CATCH_RUNNER_LIBRARY))"; \
	if [ -f "$$library" ]; then \
	  echo "cp $$library $@"; cp "$$library" $@; \
	else \
	  echo "$(CXX) $(PLAIN_TEST_CXXFLAGS) -O0 -c tests/catch_main.cpp -o $(@:.a=.o)"; \
	  $(CXX) $(PLAIN_TEST_CXXFLAGS) -O0 -c tests/catch_main.cpp -o $(@:.a=.o) && \
	    ar rcs $@ $(@:.a=.o); \
	fi

# With g++, Catch2's header is compiled once per build into a precompiled header
# (tests/pch/catch.hpp), which the baseline test files load in 0.2 s instead of parsing the
# header in 0.7 s. g++ finds catch2/catch.hpp.gch in $(BUILD)/pch before the header itself and
# uses it where the header is the first include and the flags match. Elsewhere it parses the
# header as before. The objects are the same either way, but for debug information. The
# -march builds of the vector tests (four or five files each) would save less than a
# precompiled header costs. Clang does not look for .gch files through #include.
# g++ also accepts a header precompiled with other optimization flags (-O2 for -O3), which then
# changes the code, so $(BUILD)/pch/flags records the flags and a change rebuilds the header.
ifeq ($(findstring clang,$(CXX)),)
CATCH_PCH := $(BUILD)/pch/catch2/catch.hpp.gch
CATCH_PCH_FLAGS := -I$(BUILD)/pch
CATCH_PCH_RECORD := $(BUILD)/pch/flags
ifneq ($(file < $(CATCH_PCH_RECORD)),$(strip $(TEST_CXXFLAGS)))
$(shell mkdir -p $(BUILD)/pch)
$(file > $(CATCH_PCH_RECORD),$(strip $(TEST_CXXFLAGS)))
endif
endif
$(BUILD)/pch/catch2/catch.hpp.gch: tests/pch/catch.hpp $(CATCH_PCH_RECORD) \
    $(wildcard $(CATCH_HEADER)) | $(NEEDS_CATCH2)
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) -x c++-header $< -o $@

$(BUILD)/tests/%.o: tests/%.cpp $(HEADERS) tests/test_support.hpp tests/file_support.hpp \
    $(CATCH_PCH) | $(NEEDS_CATCH2)
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) $(CATCH_PCH_FLAGS) -c $< -o $@

# The slowest files parse the header themselves, so that they need not wait for it: make would
# otherwise set them aside while the precompiled header is built and start them last.
SLOW_TEST_OBJECTS := $(patsubst tests/%.cpp,$(BUILD)/tests/%.o,$(SLOW_TEST_SOURCES))
$(SLOW_TEST_OBJECTS): $(BUILD)/tests/%.o: tests/%.cpp $(HEADERS) tests/test_support.hpp \
    tests/file_support.hpp | $(NEEDS_CATCH2)
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) -c $< -o $@

$(BUILD)/unit_tests: $(TEST_OBJECTS) $(BUILD)/tests/catch_runner.a
	$(CXX) $(TEST_CXXFLAGS) $^ -o $@

PLAIN_TEST_CXXFLAGS := $(filter-out $(SANITIZE_FLAGS),$(TEST_CXXFLAGS))

$(BUILD)/tests/allocation_main.o: tests/allocation_main.cpp $(HEADERS) | $(NEEDS_CATCH2)
	@mkdir -p $(dir $@)
	$(CXX) $(PLAIN_TEST_CXXFLAGS) -c $< -o $@

$(BUILD)/allocation_tests: $(BUILD)/tests/allocation_main.o $(BUILD)/tests/catch_runner.a
	$(CXX) $(PLAIN_TEST_CXXFLAGS) $^ -o $@

test-unit: $(BUILD)/unit_tests
	$(BUILD_RUN)/unit_tests

# The 1-H-1 kernels' tests at the build's own width, with dispatch off (lanes.hpp). With
# dispatch, this file would also compile each kernel it uses for AVX2 and for AVX-512, which
# took 8 of its 16 s. Those copies are tested elsewhere: test_dispatch.cpp requires the bits of
# this width from them, and the -march builds below run this file on the wider kernels. The
# tests are a program of their own because every file of a program must see the engine's
# inline functions defined the same way.
BASELINE_KERNEL_OBJECT := $(BUILD)/baseline/tests/test_one_hidden_layer.o
$(BASELINE_KERNEL_OBJECT): $(KERNEL_TEST_SOURCE) $(HEADERS) tests/test_support.hpp \
    | $(NEEDS_CATCH2)
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) -USTATICMLP_DISPATCH -DSTATICMLP_DISPATCH=0 -c $< -o $@

$(BUILD)/baseline/kernel_tests: $(BASELINE_KERNEL_OBJECT) $(BUILD)/tests/catch_runner.a
	$(CXX) $(TEST_CXXFLAGS) $^ -o $@

.PHONY: test-kernels
test-kernels: $(BUILD)/baseline/kernel_tests
	@echo "1-H-1 kernels' tests at the build's own width, without dispatch:" && \
	  $(BUILD_RUN)/baseline/kernel_tests

test-allocation: $(BUILD)/allocation_tests
	$(BUILD_RUN)/allocation_tests

# The file output's tests again with STATICMLP_IO_USE_FILESYSTEM, which makes io.hpp use
# std::filesystem as it does where POSIX's <sys/stat.h> is missing. A program of its own, for
# the reason given above for test-kernels.
FILESYSTEM_TEST_OBJECT := $(BUILD)/filesystem/tests/test_atomic_file.o
$(FILESYSTEM_TEST_OBJECT): tests/test_atomic_file.cpp $(HEADERS) tests/file_support.hpp $(CATCH_PCH) \
    | $(NEEDS_CATCH2)
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) $(CATCH_PCH_FLAGS) -DSTATICMLP_IO_USE_FILESYSTEM -c $< -o $@

$(BUILD)/filesystem/atomic_file_tests: $(FILESYSTEM_TEST_OBJECT) $(BUILD)/tests/catch_runner.a
	$(CXX) $(TEST_CXXFLAGS) $^ -o $@

.PHONY: test-io-filesystem
test-io-filesystem: $(BUILD)/filesystem/atomic_file_tests
	@echo "file output's tests with std::filesystem instead of POSIX calls:" && \
	  $(BUILD_RUN)/filesystem/atomic_file_tests

# The engine headers use no heap, exceptions, RTTI, threads, locales or I/O (io.hpp aside);
# the check must also reject a header that does.
test-engine-headers:
	sh tests/check_engine_headers.sh
	@mkdir -p build
	@printf '#include <vector>\nint* leak = new int;\n' > build/forbidden_header.hpp
	@if sh tests/check_engine_headers.sh build/forbidden_header.hpp >/dev/null; then \
	  echo "error: check_engine_headers.sh accepted a header that allocates" >&2; exit 1; \
	else echo "ok   the header check rejects a header that allocates"; fi

# The compile-fail checks load the engine's headers precompiled in the same way (with g++),
# which halves their time. The checks that define a macro before the include parse the headers.
ifeq ($(findstring clang,$(CXX)),)
SYNTAX_PCH := $(BUILD)/pch-syntax/staticmlp/staticmlp.hpp.gch
endif
COMPILE_FAIL_FLAGS := -std=c++17 $(if $(SYNTAX_PCH),-I$(BUILD)/pch-syntax) -Iinclude
$(BUILD)/pch-syntax/staticmlp/staticmlp.hpp.gch: tests/pch/staticmlp.hpp $(HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -Iinclude -x c++-header $< -o $@

test-compile-fail: $(SYNTAX_PCH)
	CXX="$(CXX)" CXXFLAGS="$(COMPILE_FAIL_FLAGS)" sh tests/compile_fail/run.sh

# The tests of the vector kernels again with AVX2 and with AVX-512 (x86-64-v3 and -v4), where
# this CPU has them: the build above targets the x86-64 baseline, whose vectors hold 4 floats,
# and each width takes other paths (padding, registers, tails). Skipped elsewhere.
# test_one_hidden_layer.cpp checks every kernel against the layer formulas and against fit(), so
# test_fit.cpp and test_backprop.cpp run at the baseline width only: with them, `make -j2 test`
# from a clean tree took 55 s instead of 46 s.
VECTOR_TEST_SOURCES := tests/test_lanes.cpp tests/test_one_hidden_layer.cpp \
  tests/test_fused_step.cpp tests/test_activation.cpp tests/test_dense_forward.cpp
VECTOR_LEVELS := x86-64-v3 x86-64-v4
# CPU flags each level needs, as /proc/cpuinfo names them.
VECTOR_CPU_FLAGS_x86-64-v3 := avx2 fma bmi2
VECTOR_CPU_FLAGS_x86-64-v4 := avx2 fma bmi2 avx512f avx512bw avx512cd avx512dq avx512vl

# The levels this machine can run, decided once when make reads this file, so that one make
# schedules every compilation of the suite (a recursive make for the vector tests raced the
# outer one for the Catch2 runner).
VECTOR_RUNNABLE_LEVELS := $(foreach level,$(VECTOR_LEVELS),$(if $(shell \
  [ "$$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ] && \
  for flag in $(VECTOR_CPU_FLAGS_$(level)); do grep -qw "$$flag" /proc/cpuinfo || exit 1; done && \
  echo yes),$(level)))
# dense_forward's test runs at AVX-512 only, because its 16-lane build also takes the 8- and
# 4-lane paths (rows of 8 and 4 sums, the last vectors of a layer). That saves 3.5 s of CPU time.
# These builds compile at -O1, because what they add is the wider vectors' source paths, and
# -ffp-contract=off keeps the results' bits independent of the optimization level. The 1-H-1
# kernels are also checked at -O2 for AVX2 and AVX-512, in tests/test_dispatch.cpp. -O1 saves
# 5 s of CPU time: `make -j2 test` from a clean tree took 51 to 55 s, against 54 to 62 s at -O2
# (four runs each, alternating, 2 vCPUs of an AMD EPYC).
VECTOR_TEST_OPTIMIZE := -O1
VECTOR_TEST_SOURCES_x86-64-v3 := $(filter-out tests/test_dense_forward.cpp,$(VECTOR_TEST_SOURCES))
VECTOR_TEST_SOURCES_x86-64-v4 := $(VECTOR_TEST_SOURCES)
VECTOR_TEST_OBJECTS := $(foreach level,$(VECTOR_RUNNABLE_LEVELS),\
  $(patsubst tests/%.cpp,$(BUILD)/$(level)/tests/%.o,$(VECTOR_TEST_SOURCES_$(level))))

define vector_test_rules
$(BUILD)/$(1)/tests/%.o: tests/%.cpp $(HEADERS) tests/test_support.hpp tests/file_support.hpp \
    | $(NEEDS_CATCH2)
	@mkdir -p $$(dir $$@)
	$(CXX) $(TEST_CXXFLAGS) -march=$(1) $(VECTOR_TEST_OPTIMIZE) -c $$< -o $$@

$(BUILD)/$(1)/vector_tests: \
    $(patsubst tests/%.cpp,$(BUILD)/$(1)/tests/%.o,$(VECTOR_TEST_SOURCES_$(1))) \
    $(BUILD)/tests/catch_runner.a
	$(CXX) $(TEST_CXXFLAGS) -march=$(1) $$^ -o $$@

ifneq ($(filter $(1),$(VECTOR_RUNNABLE_LEVELS)),)
test-vector-$(1): $(BUILD)/$(1)/vector_tests
	@echo "vector kernels' tests built with -march=$(1):" && $(BUILD_RUN)/$(1)/vector_tests
else
test-vector-$(1):
	@echo "skipped: this machine cannot run -march=$(1) code"
endif
endef
$(foreach level,$(VECTOR_LEVELS),$(eval $(call vector_test_rules,$(level))))

.PHONY: test-vector-widths $(VECTOR_LEVELS:%=test-vector-%)
test-vector-widths: $(VECTOR_LEVELS:%=test-vector-%)

# The README's example must keep compiling, so the suite builds it.
# The engine headers as another program sees them: without SHADOW_CHECK and under warnings
# beyond the project's set, which such programs may use with -Werror. With g++, the same file
# must fail with SHADOW_CHECK, which shows that its globals do collide with the headers' names.
STRICT_WARNINGS := -Wold-style-cast -Wsign-conversion -Wcast-qual -Wdouble-promotion -Wfloat-equal
$(BUILD)/tests/strict_warnings.o: tests/strict_warnings.cpp $(HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(filter-out $(SHADOW_CHECK),$(ALL_CXXFLAGS)) $(STRICT_WARNINGS) -c $< -o $@
ifeq ($(findstring clang,$(CXX)),)
	@if $(CXX) $(ALL_CXXFLAGS) -fsyntax-only $< 2>/dev/null; then \
	  echo "error: tests/strict_warnings.cpp compiled with $(SHADOW_CHECK): its globals no" \
	       "longer test the headers' -Wshadow switch" >&2; exit 1; \
	else echo "ok   the headers switch off -Wshadow, which their own names need"; fi
endif

# The slowest objects are listed first, so that `make -j2` starts them first, then the
# compile-fail checks (one job of many short compilations) and the vector tests' other objects,
# so that short jobs are left for the end, when one core would otherwise wait for the other.
test: $(BUILD)/tests/test_dispatch.o $(filter %/test_one_hidden_layer.o,$(VECTOR_TEST_OBJECTS)) \
  $(SLOW_TEST_OBJECTS) $(BASELINE_KERNEL_OBJECT) $(CATCH_PCH) $(SYNTAX_PCH) \
  test-compile-fail $(filter %/test_dense_forward.o,$(VECTOR_TEST_OBJECTS)) $(VECTOR_TEST_OBJECTS) \
  test-unit test-kernels test-allocation test-io-filesystem test-engine-headers \
  $(BUILD)/readme_example \
  $(BUILD)/tests/strict_warnings.o test-cpp-header test-vector-widths

# ---------------------------------------------------------------- lecture figures
#   make plots                     fit every variant of the lecture, write plots/*.gp and *.png
#   make test-lecture              the lecture's targets as medians over seeds 1 to 10 (slow)
.PHONY: plots ensure-gnuplot test-lecture
LECTURE_PROGRAMS := lecture_depth lecture_width lecture_activation
LECTURE_FIGURES := sine_relu depth width activation

$(addprefix $(BUILD)/,$(LECTURE_PROGRAMS)): src/lecture_figure.hpp src/lecture_recipes.hpp
$(BUILD)/tests/test_lecture.o: src/lecture_recipes.hpp tests/lecture_support.hpp

ensure-gnuplot:
	$(call require,command -v gnuplot,gnuplot-nox,gnuplot)

plots: $(BUILD)/sine_demo $(addprefix $(BUILD)/,$(LECTURE_PROGRAMS)) | ensure-gnuplot
	@mkdir -p plots
	$(BUILD_RUN)/sine_demo plots/sine_relu.gp
	@for program in $(LECTURE_PROGRAMS); do \
	  $(BUILD_RUN)/$$program plots/$${program#lecture_}.gp || exit 1; \
	done
	@for figure in $(LECTURE_FIGURES); do \
	  echo "gnuplot plots/$$figure.gp"; \
	  gnuplot plots/$$figure.gp && echo "wrote plots/$$figure.png" || exit 1; \
	done

# Its own binary: ten seeds of every variant take too long for the unit suite.
$(BUILD)/lecture_tests: tests/lecture_sweep.cpp tests/lecture_support.hpp src/lecture_recipes.hpp $(HEADERS) | $(NEEDS_CATCH2)
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) $< -o $@

test-lecture: $(BUILD)/lecture_tests
	$(BUILD_RUN)/lecture_tests

# ---------------------------------------------------------------- float math accuracy
# Every float through tanh, sigmoid, exp and expm1 against glibc: the figures in math.hpp's
# header. A few minutes on one core, so not part of make test.
.PHONY: scan-float-math
$(BUILD)/scan_float_math: src/tools/scan_float_math.cpp $(HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) $< -o $@

scan-float-math: $(BUILD)/scan_float_math
	$(BUILD_RUN)/scan_float_math

# ---------------------------------------------------------------- autodiff
# The lecture's backpropagation quiz, log(x * y + z): built by `make` and run by `make demo`.
all: $(BUILD)/autodiff_quiz
demo: $(BUILD)/autodiff_quiz

# ---------------------------------------------------------------- microcontroller
# Firmware for Cortex-M4F (hard float), M3 and M0 (soft float) under QEMU, in build/mcu/CORE/:
# train.elf (trains with src/sine_recipe.hpp), infer.elf (compiled-in weights), train-fail.elf
# (requires an MSE below zero, so it must exit with 1), smooth.elf (Tanh and Sigmoid networks),
# count.elf and count-checked.elf (instruction counts), and boot.elf and fault.elf (the reset and fault handlers).
#   make mcu        build them, prove there is no heap, exception or RTTI code in them, and
#                   that an allocating image fails to link
#   make mcu-run    run them under QEMU and compare the trained parameters with the host's
#   make mcu-size   flash, RAM and stack figures per core and image
#   make mcu-count  instructions per forward pass and per per-sample SGD step, checked or not
MCU_CXX := arm-none-eabi-g++
MCU_BUILD := build/mcu
MCU_CORES := m4f m3 m0
MCU_ARCH_m4f := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
MCU_ARCH_m3 := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
MCU_ARCH_m0 := -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
# FLOAT_FLAGS (no FMA contraction) keeps the M4F's results bit-identical to the host's.
# -fno-tree-loop-distribute-patterns keeps GCC from turning small loops into calls to newlib's
# memset and strlen, which are large; it only saves flash. The engine needs no -fno-math-errno:
# its sqrt is the bare vsqrt.f32 instruction on the M4F either way.
MCU_CXXFLAGS := -std=c++17 -Os -fno-exceptions -fno-rtti -fno-threadsafe-statics \
  -ffunction-sections -fdata-sections -Wdouble-promotion $(WARNINGS) $(FLOAT_FLAGS) \
  -fno-tree-loop-distribute-patterns -fstack-usage -Iinclude
# nano.specs without nosys.specs or rdimon.specs: there is no _sbrk, so malloc cannot link.
MCU_LDFLAGS := -nostartfiles --specs=nano.specs -T src/mcu/mcu.ld -Wl,--gc-sections
# Only for the images that prove the symbol check works: a heap (nosys.specs' _sbrk), the
# symbols it needs, and the linker script's no-heap assertions switched off.
MCU_HEAP_LDFLAGS := --specs=nosys.specs -Wl,--defsym=mcu_allow_heap=1 \
  -Wl,--defsym=end=mcu_bss_end -Wl,--defsym=__dso_handle=0
MCU_HEADERS := $(HEADERS) $(wildcard src/mcu/*.hpp) src/sine_recipe.hpp
MCU_RUNTIME := startup semihosting
MCU_IMAGES := train infer persist train-fail smooth count count-checked boot fault
MCU_ELVES := $(foreach core,$(MCU_CORES),$(foreach image,$(MCU_IMAGES),$(MCU_BUILD)/$(core)/$(image).elf))
MCU_HOST_TRAIN := $(MCU_BUILD)/host_train

.PHONY: mcu mcu-run mcu-size mcu-count mcu-no-heap-proof ensure-mcu-toolchain ensure-qemu

ensure-mcu-toolchain:
	$(call require,command -v $(MCU_CXX),gcc-arm-none-eabi,the Arm cross-compiler $(MCU_CXX))
	$(call require,test -f /usr/lib/arm-none-eabi/newlib/nano.specs,libnewlib-arm-none-eabi,newlib for arm-none-eabi)
	$(call require,test -f /usr/lib/arm-none-eabi/newlib/thumb/v6-m/nofp/libstdc++_nano.a,libstdc++-arm-none-eabi-newlib,libstdc++ for arm-none-eabi)

ensure-qemu:
	$(call require,command -v qemu-system-arm,qemu-system-arm,the emulator qemu-system-arm)

# $(1): core. Objects, their .su stack reports and images of one core.
define mcu_core_rules
$(MCU_BUILD)/$(1)/%.o: src/mcu/%.cpp $(MCU_HEADERS) | ensure-mcu-toolchain
	@mkdir -p $$(dir $$@)
	$(MCU_CXX) $(MCU_ARCH_$(1)) $(MCU_CXXFLAGS) -c $$< -o $$@

$(MCU_BUILD)/$(1)/train-fail.o: src/mcu/train.cpp $(MCU_HEADERS) | ensure-mcu-toolchain
	@mkdir -p $$(dir $$@)
	$(MCU_CXX) $(MCU_ARCH_$(1)) $(MCU_CXXFLAGS) -DMCU_REQUIRED_MSE=0.0f -c $$< -o $$@

$(MCU_BUILD)/$(1)/count-checked.o: src/mcu/count.cpp $(MCU_HEADERS) | ensure-mcu-toolchain
	@mkdir -p $$(dir $$@)
	$(MCU_CXX) $(MCU_ARCH_$(1)) $(MCU_CXXFLAGS) -DCOUNT_CHECKED_STEP -c $$< -o $$@

$(MCU_BUILD)/$(1)/%.elf: $(MCU_BUILD)/$(1)/%.o $(MCU_RUNTIME:%=$(MCU_BUILD)/$(1)/%.o) src/mcu/mcu.ld
	$(MCU_CXX) $(MCU_ARCH_$(1)) $(MCU_LDFLAGS) -Wl,-Map=$$(@:.elf=.map) \
	  $$(filter %.o,$$^) -o $$@
endef
$(foreach core,$(MCU_CORES),$(eval $(call mcu_core_rules,$(core))))

# The unit test of the firmware's number formatting includes a header outside include/.
$(BUILD)/tests/test_microcontroller.o: src/mcu/report.hpp

$(MCU_HOST_TRAIN): tests/mcu/host_train.cpp $(MCU_HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) $< -o $@

# The proofs that the checks can fail, on the M4F and the M0: the allocating image must fail to
# link with the assertion's message, and check_symbols.sh must reject the same image when it is
# allowed a heap (alloc-heap.elf) and an image with exceptions and RTTI (throw.elf).
MCU_PROOF_CORES := m4f m0

# $(1): core.
define mcu_proof_rules
$(MCU_BUILD)/$(1)/throw.o: src/mcu/throw.cpp | ensure-mcu-toolchain
	@mkdir -p $$(dir $$@)
	$(MCU_CXX) $(MCU_ARCH_$(1)) $(filter-out -fno-exceptions -fno-rtti,$(MCU_CXXFLAGS)) \
	  -fexceptions -frtti -c $$< -o $$@

$(MCU_BUILD)/$(1)/alloc-heap.elf $(MCU_BUILD)/$(1)/throw.elf: \
  $(MCU_RUNTIME:%=$(MCU_BUILD)/$(1)/%.o) src/mcu/mcu.ld
	$(MCU_CXX) $(MCU_ARCH_$(1)) $(MCU_LDFLAGS) $(MCU_HEAP_LDFLAGS) $$(filter %.o,$$^) -o $$@

$(MCU_BUILD)/$(1)/alloc-heap.elf: $(MCU_BUILD)/$(1)/alloc.o
$(MCU_BUILD)/$(1)/throw.elf: $(MCU_BUILD)/$(1)/throw.o

mcu-no-heap-proof-$(1): $(MCU_BUILD)/$(1)/alloc.o $(MCU_BUILD)/$(1)/alloc-heap.elf \
  $(MCU_BUILD)/$(1)/throw.elf
	@sh tests/mcu/no_heap_proof.sh $(MCU_BUILD)/$(1) $(MCU_CXX) $(MCU_ARCH_$(1)) $(MCU_LDFLAGS)
endef
$(foreach core,$(MCU_PROOF_CORES),$(eval $(call mcu_proof_rules,$(core))))

mcu-no-heap-proof: $(MCU_PROOF_CORES:%=mcu-no-heap-proof-%)

# Objects are intermediate files of the pattern rules: keep them, and their .su files with them.
.SECONDARY: $(foreach core,$(MCU_CORES),$(foreach object,$(MCU_IMAGES) $(MCU_RUNTIME) alloc throw,\
  $(MCU_BUILD)/$(core)/$(object).o))

# boot.elf tests the set-up of .data and .bss, and count.elf and count-checked.elf keep their
# network in globals so that the compiler cannot move work out of the counted regions; every
# other image must reserve no static RAM.
MCU_STATIC_RAM_FREE := $(filter-out %/boot.elf %/count.elf %/count-checked.elf,$(MCU_ELVES))

mcu: $(MCU_ELVES) $(MCU_HOST_TRAIN) mcu-no-heap-proof
	sh tests/mcu/check_symbols.sh $(MCU_ELVES)
	sh tests/mcu/check_static_ram.sh $(MCU_STATIC_RAM_FREE)
	@if sh tests/mcu/check_static_ram.sh $(MCU_BUILD)/m4f/boot.elf >/dev/null; then \
	  echo "FAIL check_static_ram.sh passed boot.elf, which has .data and .bss"; exit 1; \
	else echo "ok   check_static_ram.sh rejects boot.elf, which has .data and .bss"; fi

mcu-run: mcu | ensure-qemu
	bash tests/mcu/run.sh $(MCU_BUILD) $(MCU_HOST_TRAIN) $(MCU_CORES)

mcu-size: $(MCU_ELVES)
	@sh tests/mcu/size.sh $(MCU_BUILD) $(MCU_CORES)

mcu-count: $(MCU_ELVES) | ensure-qemu
	@sh tests/mcu/count.sh $(MCU_BUILD) $(MCU_CORES)


# ---------------------------------------------------------------- compile-time training and model files
# tests/test_compile_time.cpp trains the demo's network for 100 epochs inside a constant
# expression, past clang++'s default limit and near g++'s: the file needs between 27 and 30
# million g++ operations (default 33554432) and between 4 and 5 million clang++ steps (default
# 1048576). The limits below leave a factor of three or more; measured figures are in README.md.
CONSTEXPR_LIMITS := $(if $(findstring clang,$(notdir $(firstword $(CXX)))),\
  -fconstexpr-steps=16000000,-fconstexpr-ops-limit=134217728)
# private: the precompiled Catch2 header, a prerequisite, must not inherit the limits.
$(BUILD)/tests/test_compile_time.o: private TEST_CXXFLAGS += $(CONSTEXPR_LIMITS)

# Writes C++ headers with write_cpp_header(), compiles each alone with g++ and clang++ under
# -Werror and checks that the networks built from them predict the original bits.
test-cpp-header:
	CXX="$(CXX)" sh tests/header_check/run.sh $(BUILD)/header_check

# Fuzzes load_parameters() for FUZZ_SECONDS with libFuzzer under ASan and UBSan, starting from
# the seed corpus in tests/fuzz/corpus; new inputs go to build/fuzz/corpus.
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++
ensure-fuzzer:
	$(call require,command -v $(FUZZ_CXX),clang,the clang++ compiler)
	$(call require,test -f "$$($(FUZZ_CXX) -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$$(uname -m).a",\
	  libclang-rt-14-dev,clang's libFuzzer runtime)

fuzz: ensure-fuzzer
	@mkdir -p build/fuzz/corpus
	$(FUZZ_CXX) -std=c++17 -O1 -g $(WARNINGS) $(FLOAT_FLAGS) -Iinclude \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  tests/fuzz/load_parameters_fuzz.cpp -o build/fuzz/load_parameters_fuzz
	./build/fuzz/load_parameters_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -print_final_stats=1 build/fuzz/corpus tests/fuzz/corpus

# ---------------------------------------------------------------- benchmarks
# make bench       the standard table and the footprint table, for two builds of the bench:
#                  the project's flags (-O2 -ffp-contract=off, SSE2 on x86-64) and -O3
#                  -march=native with the compiler's default contraction; each build also
#                  times the Eigen baseline, built with -O3 and -O3 -march=native respectively,
#                  when Debian's libeigen3-dev is installed (as root the target installs it).
# make bench-csv   the same rows as CSV on stdout, one header line; build output goes to stderr.
# BENCH_OPTIONS    passed to every bench run, for example --seconds 0.1 --repeats 5.
BENCH_OPTIONS ?=
BENCH_DIR := $(BUILD)/bench
BENCH_DEPS := $(HEADERS) $(wildcard src/bench/*.hpp) src/command_line.hpp
EIGEN_INCLUDE := /usr/include/eigen3
NATIVE_CXXFLAGS := -std=c++17 -O3 -march=native $(WARNINGS) -Iinclude $(EXTRA_CXXFLAGS)
BENCH_PROGRAMS := $(BENCH_DIR)/bench-default $(BENCH_DIR)/bench-native
.SECONDARY: $(foreach b,default native,$(foreach o,bench staticmlp_trainer eigen_baseline,\
  $(BENCH_DIR)/$(b)/$(o).o))

$(BENCH_DIR)/default/%.o: src/bench/%.cpp $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -DBENCH_FLAGS='"default"' -c $< -o $@

$(BENCH_DIR)/native/%.o: src/bench/%.cpp $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(NATIVE_CXXFLAGS) -DBENCH_FLAGS='"native"' -c $< -o $@

$(BENCH_DIR)/default/eigen_baseline.o: src/bench/eigen_baseline.cpp $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O3 -Iinclude -isystem $(EIGEN_INCLUDE) -DBENCH_EIGEN_FLAGS='"O3"' -c $< -o $@

$(BENCH_DIR)/native/eigen_baseline.o: src/bench/eigen_baseline.cpp $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O3 -march=native -Iinclude -isystem $(EIGEN_INCLUDE) \
	  -DBENCH_EIGEN_FLAGS='"O3-native"' -c $< -o $@

$(BENCH_DIR)/bench-%: $(BENCH_DIR)/%/bench.o $(BENCH_DIR)/%/staticmlp_trainer.o \
    $(BENCH_DIR)/%/eigen_baseline.o
	$(CXX) $^ -o $@

# Eigen is optional: without it the tables have no Eigen rows.
ensure-eigen:
	@if [ ! -f $(EIGEN_INCLUDE)/Eigen/Dense ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Eigen is missing: installing Debian's libeigen3-dev for the baseline rows"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libeigen3-dev) >/dev/null || echo "warning: apt-get install libeigen3-dev failed"; \
	  else \
	    echo "Eigen not found: the tables have no Eigen rows (apt-get install libeigen3-dev)"; \
	  fi; \
	fi

bench-build: ensure-eigen
	@$(MAKE) --no-print-directory $(BENCH_PROGRAMS)

bench: bench-build
	$(BUILD_RUN)/bench/bench-default $(BENCH_OPTIONS)
	@echo
	$(BUILD_RUN)/bench/bench-native --no-footprint $(BENCH_OPTIONS)

bench-csv:
	@$(MAKE) --no-print-directory bench-build >&2
	@$(BUILD_RUN)/bench/bench-default --csv $(BENCH_OPTIONS)
	@$(BUILD_RUN)/bench/bench-native --csv --no-header $(BENCH_OPTIONS)

# ---------------------------------------------------------------- upkeep
format:
	clang-format -i $(HEADERS) src/*.cpp tests/*.cpp tests/*.hpp

clean:
	rm -rf build
