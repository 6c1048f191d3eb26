# staticmlp: build the programs and run the tests with nothing but a C++17 compiler and make.
#   make demo                      fit the lecture's sine data, write plots/sine_relu.{gp,png}
#   make test                      build and run the Catch2 suite and the compile-fail checks
#   make test CXX=clang++          the same with clang++
#   make test SANITIZE=1           the same under AddressSanitizer and UndefinedBehaviorSanitizer
#   make bench                     print training throughput and memory footprint tables
#   make format                    apply .clang-format to every source file
# Builds go to build/<compiler>[-sanitize]/, so the variants do not overwrite each other.

CXX ?= g++
SANITIZE ?=
OPTIMIZE ?= -O2
WARNINGS := -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror
# No contraction into FMA, so that run-time arithmetic matches constant evaluation bit for bit.
FLOAT_FLAGS := -ffp-contract=off
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
EXTRA_CXXFLAGS ?=

BUILD_NAME := $(notdir $(firstword $(CXX)))$(if $(SANITIZE),-sanitize)
BUILD := build/$(BUILD_NAME)
ALL_CXXFLAGS := -std=c++17 $(OPTIMIZE) $(WARNINGS) $(FLOAT_FLAGS) -Iinclude \
  $(if $(SANITIZE),$(SANITIZE_FLAGS)) $(EXTRA_CXXFLAGS)
TEST_CXXFLAGS := $(ALL_CXXFLAGS)

HEADERS := $(wildcard include/staticmlp/*.hpp)
TEST_SOURCES := $(wildcard tests/test_*.cpp)
TEST_OBJECTS := $(patsubst tests/%.cpp,$(BUILD)/tests/%.o,$(TEST_SOURCES))
CATCH_HEADER := /usr/include/catch2/catch.hpp

.PHONY: all demo test test-unit test-allocation test-compile-fail format clean ensure-catch2
.PHONY: bench bench-csv bench-build ensure-eigen

all: $(BUILD)/sine_demo

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

demo: $(BUILD)/sine_demo
	@mkdir -p plots
	./$(BUILD)/sine_demo plots/sine_relu.gp
	@if command -v gnuplot >/dev/null 2>&1; then \
	  gnuplot plots/sine_relu.gp && echo "wrote plots/sine_relu.png"; \
	else \
	  echo "gnuplot not found: the script is written; to render it, install gnuplot-nox" \
	       "(apt-get install gnuplot-nox) and run: gnuplot plots/sine_relu.gp"; \
	fi

# ---------------------------------------------------------------- tests
ensure-catch2:
	$(call require,test -f $(CATCH_HEADER),catch2,the Catch2 test framework header $(CATCH_HEADER))

$(BUILD)/tests/catch_main.o: tests/catch_main.cpp | ensure-catch2
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.cpp $(HEADERS) tests/test_support.hpp | ensure-catch2
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) -c $< -o $@

$(BUILD)/unit_tests: $(BUILD)/tests/catch_main.o $(TEST_OBJECTS)
	$(CXX) $(TEST_CXXFLAGS) $^ -o $@

# Replaces malloc and operator new, which the sanitizers also replace: built without them.
$(BUILD)/allocation_tests: tests/allocation_main.cpp $(HEADERS) | ensure-catch2
	@mkdir -p $(dir $@)
	$(CXX) $(filter-out $(SANITIZE_FLAGS),$(TEST_CXXFLAGS)) $< -o $@

test-unit: $(BUILD)/unit_tests
	./$(BUILD)/unit_tests

test-allocation: $(BUILD)/allocation_tests
	./$(BUILD)/allocation_tests

test-compile-fail:
	CXX="$(CXX)" CXXFLAGS="-std=c++17 -Iinclude" sh tests/compile_fail/run.sh

test: test-unit test-allocation test-compile-fail

# ---------------------------------------------------------------- lecture figures

# ---------------------------------------------------------------- autodiff

# ---------------------------------------------------------------- microcontroller

# ---------------------------------------------------------------- compile-time training and model files

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
BENCH_DEPS := $(HEADERS) $(wildcard src/bench/*.hpp)
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
	./$(BENCH_DIR)/bench-default $(BENCH_OPTIONS)
	@echo
	./$(BENCH_DIR)/bench-native --no-footprint $(BENCH_OPTIONS)

bench-csv:
	@$(MAKE) --no-print-directory bench-build >&2
	@./$(BENCH_DIR)/bench-default --csv $(BENCH_OPTIONS)
	@./$(BENCH_DIR)/bench-native --csv --no-header $(BENCH_OPTIONS)

# ---------------------------------------------------------------- upkeep
format:
	clang-format -i $(HEADERS) src/*.cpp tests/*.cpp tests/*.hpp

clean:
	rm -rf build
