# anjuan — set-up, run and test. `make run` and `make test` install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# Debian packages: build (bindgen for tesseract-sys), OCR, CJK font, headless GUI,
# output checkers, SANE scanimage (its `test` backend drives the scanner tests),
# PostgreSQL (a room's shared catalogue; the tests run their own server).
APT_PACKAGES := clang libclang-dev pkg-config libtesseract-dev libleptonica-dev \
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-osd \
  fonts-noto-cjk xvfb xauth libgl1-mesa-dri libegl1 libxkbcommon-x11-0 \
  poppler-utils poppler-data qpdf libturbojpeg0-dev libxml2-dev libxml2-utils libtiff-tools python3-jsonschema sane-utils \
  libssl-dev postgresql

# PDFium has no Debian package: libpdfium.so comes from the pinned pypdfium2 wheel.
PYPDFIUM2_VERSION := 5.15.2
PDFIUM_WHEEL := pypdfium2-$(PYPDFIUM2_VERSION)-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
PDFIUM_LIB := vendor/pdfium/libpdfium.so

# PP-OCR: ONNX Runtime from the pinned onnxruntime wheel, the PP-OCRv4 models
# from the pinned rapidocr_onnxruntime wheel (Apache-2.0).
ONNXRUNTIME_VERSION := 1.32.0
ORT_LIB := vendor/onnxruntime/libonnxruntime.so
RAPIDOCR_VERSION := 1.4.4
PPOCR_MODELS := vendor/ppocr/ch_PP-OCRv4_det_infer.onnx

# The PP-OCR models rewritten for ONNX Runtime on one thread (element-wise nodes
# folded into the convolutions; scripts/fuse-ppocr-model.py says why), by the
# `onnx` package from pinned wheels installed beside the models, not system-wide.
PYONNX_WHEELS := onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2 ml_dtypes==0.7.0 typing_extensions==4.16.0
PYONNX := vendor/pyonnx/onnx/__init__.py
FUSED_MODELS := vendor/ppocr/ch_PP-OCRv4_det_infer.fused.onnx vendor/ppocr/ch_PP-OCRv4_rec_infer.fused.onnx

# bagit-python (the Library of Congress's BagIt validator, pure Python) checks
# our packages in the tests, from its pinned wheel.
BAGIT_VERSION := 1.8.1
BAGIT_PY := vendor/bagit/bagit.py

# Garage (an S3-compatible object store, AGPL, from crates.io) for the upload
# tests: built once per machine into a cache outside the clone (the build's own
# target folder is removed afterwards); the tests find it through ANJUAN_GARAGE.
GARAGE_VERSION := 2.5.0
TOOLS_CACHE ?= $(HOME)/.cache/anjuan
GARAGE := $(TOOLS_CACHE)/garage-$(GARAGE_VERSION)/bin/garage
export ANJUAN_GARAGE := $(GARAGE)

# Debug builds with optimised dependencies; one shared target directory.
CARGO ?= cargo
export OMP_THREAD_LIMIT := 1

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup servers apt bench lint-tools

## run: set up, build, and open the workstation (with the sample volume on first start)
run: setup
	$(CARGO) build --release
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "no display: running the workstation under xvfb-run"; \
	  xvfb-run -a ./target/release/anjuan $(ARGS); \
	else ./target/release/anjuan $(ARGS); fi

## test: set up, check the house rules (format, clippy), then run every test
## (unit, integration, UI); the lint build shares the test build's dependencies.
## The integration and UI tests run twice: on SQLite, then with every catalogue
## on PostgreSQL (a server the tests start themselves). The catalogue's unit
## tests run on both engines in the first pass.
test: setup servers lint-tools
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test --no-fail-fast
	ANJUAN_TEST_ENGINE=postgres $(CARGO) test --no-fail-fast --test it

# rustfmt and clippy come with rustup's default profile; add them when missing.
lint-tools:
	@$(CARGO) fmt --version >/dev/null 2>&1 && $(CARGO) clippy --version >/dev/null 2>&1 || rustup component add rustfmt clippy

setup: apt $(PDFIUM_LIB) $(ORT_LIB) $(PPOCR_MODELS) $(FUSED_MODELS) $(BAGIT_PY)

## servers: what the tests start themselves (Garage for upload)
servers: $(GARAGE)

$(GARAGE):
	CARGO_TARGET_DIR=$(TOOLS_CACHE)/garage-build $(CARGO) install garage --version $(GARAGE_VERSION) \
	  --locked --no-default-features --features bundled-libs,sqlite --root $(TOOLS_CACHE)/garage-$(GARAGE_VERSION)
	rm -rf $(TOOLS_CACHE)/garage-build

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(PDFIUM_LIB):
	@mkdir -p vendor/pdfium
	@d=$$(mktemp -d); \
	python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$$d" pypdfium2==$(PYPDFIUM2_VERSION) && \
	python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); open(sys.argv[2],'wb').write(z.read('pypdfium2_raw/libpdfium.so'))" \
	  "$$d/$(PDFIUM_WHEEL)" "$@.tmp" && mv "$@.tmp" "$@"; rc=$$?; rm -rf "$$d"; exit $$rc
	@echo "PDFium $(PYPDFIUM2_VERSION) → $@"

$(ORT_LIB):
	@mkdir -p vendor/onnxruntime
	@d=$$(mktemp -d); \
	python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 -d "$$d" onnxruntime==$(ONNXRUNTIME_VERSION) && \
	python3 -c "import zipfile,sys,glob; z=zipfile.ZipFile(glob.glob(sys.argv[1]+'/onnxruntime-*.whl')[0]); open(sys.argv[2],'wb').write(z.read('onnxruntime/capi/libonnxruntime.so.$(ONNXRUNTIME_VERSION)'))" \
	  "$$d" "$@.tmp" && mv "$@.tmp" "$@"; rc=$$?; rm -rf "$$d"; exit $$rc
	@echo "ONNX Runtime $(ONNXRUNTIME_VERSION) → $@"

$(PPOCR_MODELS):
	@mkdir -p vendor/ppocr
	@d=$$(mktemp -d); \
	python3 -m pip download --quiet --no-deps -d "$$d" rapidocr_onnxruntime==$(RAPIDOCR_VERSION) && \
	python3 -c "import zipfile,sys,glob; z=zipfile.ZipFile(glob.glob(sys.argv[1]+'/rapidocr_onnxruntime-*.whl')[0]); [open(sys.argv[2]+'/'+n+'.tmp','wb').write(z.read('rapidocr_onnxruntime/models/'+n)) for n in ('ch_PP-OCRv4_rec_infer.onnx','ch_PP-OCRv4_det_infer.onnx')]" \
	  "$$d" vendor/ppocr && mv vendor/ppocr/ch_PP-OCRv4_rec_infer.onnx.tmp vendor/ppocr/ch_PP-OCRv4_rec_infer.onnx && \
	  mv vendor/ppocr/ch_PP-OCRv4_det_infer.onnx.tmp "$@"; rc=$$?; rm -rf "$$d"; exit $$rc
	@echo "PP-OCRv4 models (rapidocr_onnxruntime $(RAPIDOCR_VERSION)) → vendor/ppocr"

vendor/ppocr/ch_PP-OCRv4_rec_infer.onnx: $(PPOCR_MODELS)

$(PYONNX):
	@rm -rf vendor/pyonnx.tmp
	python3 -m pip install --quiet --root-user-action=ignore --disable-pip-version-check --no-deps --only-binary=:all: --target vendor/pyonnx.tmp $(PYONNX_WHEELS)
	@rm -rf vendor/pyonnx && mv vendor/pyonnx.tmp vendor/pyonnx

vendor/ppocr/%.fused.onnx: vendor/ppocr/%.onnx scripts/fuse-ppocr-model.py | $(PYONNX)
	PYTHONPATH=vendor/pyonnx python3 scripts/fuse-ppocr-model.py $< $@

$(BAGIT_PY):
	@mkdir -p vendor/bagit
	@d=$$(mktemp -d); \
	python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$$d" bagit==$(BAGIT_VERSION) && \
	python3 -c "import zipfile,sys,glob; z=zipfile.ZipFile(glob.glob(sys.argv[1]+'/bagit-*.whl')[0]); open(sys.argv[2],'wb').write(z.read('bagit.py'))" \
	  "$$d" "$@.tmp" && mv "$@.tmp" "$@"; rc=$$?; rm -rf "$$d"; exit $$rc
	@echo "bagit-python $(BAGIT_VERSION) → $@"

## bench: pages per minute of `process` beside bare tesseract (ARGS= page folder)
bench: setup
	$(CARGO) build --release
	./target/release/anjuan bench $(ARGS)
