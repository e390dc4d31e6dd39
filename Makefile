# FERKit: build, test and demo on a fresh Debian machine with the Swift toolchain.
#
#   make demo   install missing system packages, build, run the demo
#   make test   install missing system packages, run the whole test suite
#
# Numeric Swift is 10-100x slower in debug builds, so everything runs in
# release mode; tests keep @testable through -enable-testing and build in
# their own folder so that they do not invalidate the release build.

SWIFT ?= swift
APT_PACKAGES := libopenblas-dev liblapacke-dev libjpeg-dev libpng-dev pkg-config
TEST_BUILD := .build-test
FER := .build/release/fer
DEMO_DATA := data/demo
DEMO_RUNS := runs/demo

.PHONY: all deps build test demo bench clean

all: build

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

# On CPUs with AVX-512, the suites that reach FERKit's GEMM kernel run a
# second time on its AVX2 kernel (FERKIT_PACKED_GEMM=avx2), which such CPUs
# would otherwise never test.
GEMM_SUITES := PackedGEMMTests|ConvolutionTests|PhaseLoweringTests|BatchInvarianceTests|MatrixMultiplicationTests

test: deps
	$(SWIFT) test -c release -Xswiftc -enable-testing --scratch-path $(TEST_BUILD)
	@if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then \
	  echo "Again on the AVX2 GEMM kernel:"; \
	  FERKIT_PACKED_GEMM=avx2 $(SWIFT) test -c release -Xswiftc -enable-testing --scratch-path $(TEST_BUILD) \
	    --skip-build --filter '$(GEMM_SUITES)'; \
	fi

# The whole pipeline on the built-in synthetic set: two small backbones
# trained from scratch, fused with each strategy, Table 2 printed. A second
# run reuses what the first trained.
demo: build
	$(FER) info
	$(FER) synth --out $(DEMO_DATA) --per-class 150 --size 64 --seed 0
	$(FER) reproduce --data $(DEMO_DATA) --out $(DEMO_RUNS) --seeds 1 \
	  --backbones resnet18,resnet34 --pairs resnet18+resnet34 \
	  --epochs 8 --optimizer adam --lr 0.001 --fusion-epochs 40 --joint-epochs 3 --size 64
	@echo "Runs, reports and charts: $(DEMO_RUNS)/seed-0 (rm -rf $(DEMO_RUNS) to train again)"

bench: build
	$(FER) bench --suite kernels --json

clean:
	rm -rf .build $(TEST_BUILD) $(DEMO_DATA) $(DEMO_RUNS)
