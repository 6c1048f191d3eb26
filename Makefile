# staticmlp: build the programs and run the tests with nothing but a C++17 compiler and make.
#   make demo                      fit the lecture's sine data, write plots/sine_relu.{gp,png}
#   make test                      build and run the Catch2 suite and the compile-fail checks
#   make test CXX=clang++          the same with clang++
#   make test SANITIZE=1           the same under AddressSanitizer and UndefinedBehaviorSanitizer
#   make fuzz                      fuzz the model loader for FUZZ_SECONDS (60) with libFuzzer
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
.PHONY: test-cpp-header fuzz ensure-fuzzer

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

test: test-unit test-allocation test-compile-fail test-cpp-header

# ---------------------------------------------------------------- lecture figures

# ---------------------------------------------------------------- autodiff

# ---------------------------------------------------------------- microcontroller

# ---------------------------------------------------------------- compile-time training and model files
# tests/test_compile_time.cpp trains the demo's network for 100 epochs inside a constant
# expression, past the compilers' default limits: that takes between 50 and 60 million g++
# operations (default 33554432) and between 6 and 7 million clang++ steps (default 1048576).
# The limits below leave about a factor of two; measured figures are in README.md.
CONSTEXPR_LIMITS := $(if $(findstring clang,$(notdir $(firstword $(CXX)))),\
  -fconstexpr-steps=16000000,-fconstexpr-ops-limit=134217728)
$(BUILD)/tests/test_compile_time.o: TEST_CXXFLAGS += $(CONSTEXPR_LIMITS)

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

# ---------------------------------------------------------------- upkeep
format:
	clang-format -i $(HEADERS) src/*.cpp tests/*.cpp tests/*.hpp

clean:
	rm -rf build
