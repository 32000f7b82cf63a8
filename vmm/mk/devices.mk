# devices.mk - the guest-visible device models (issues #3, #5): PLIC, CLINT, virtqueue, virtio-mmio,
# virtio-blk, virtio-console. Pure C without KVM, so they build and test on any host.
#
# vmm/Makefile includes this fragment (DEV_SRCS are part of its HOST_SRCS and OBJS); it also works
# on its own:
#
#   make -C vmm -f mk/devices.mk devices-check  -> build/host/devices/<test>, run each
#   make -C vmm -f mk/devices.mk fuzz           -> build/fuzz/fuzz_virtqueue, run FUZZ_SECONDS
#
# Every test is a standalone program printing "N passed, N failed" and exiting non-zero on
# failure. DEV_SAN= turns the sanitizers off on a host that cannot run them.

# Standalone (make -f mk/devices.mk) or included: keep the includer's default goal.
DEV_STANDALONE := $(if $(filter 1,$(words $(MAKEFILE_LIST))),1)
DEV_SAVED_GOAL := $(.DEFAULT_GOAL)

DEV_SRCS := dev/plic.c dev/clint.c dev/virtio-mmio.c dev/virtio-mmio-regs.c dev/virtio-mmio-legacy-regs.c dev/virtio-blk.c dev/virtio-console.c dev/virtqueue.c
DEV_TESTS := plic_test clint_test virtqueue_test virtio_mmio_test virtio_mmio_legacy_test virtio_blk_test virtio_console_test

HOSTCC ?= gcc
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
# ASan+UBSan when the host can build and run them (DEV_SAN= forces them off).
ifeq ($(origin DEV_SAN),undefined)
DEV_SAN := $(shell t=$$(mktemp /tmp/.bootcase-devsan.XXXXXX) && \
	printf 'int main(void){return 0;}' | $(HOSTCC) -x c - -fsanitize=address,undefined \
	-o $$t >/dev/null 2>&1 && $$t >/dev/null 2>&1 && \
	echo -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer; \
	rm -f $$t)
endif

DEV_BUILD := $(or $(BUILD),build)
DEV_HOST_DIR := $(DEV_BUILD)/host/devices
DEV_FUZZ_DIR := $(DEV_BUILD)/fuzz
DEV_TEST_BINS := $(addprefix $(DEV_HOST_DIR)/,$(DEV_TESTS))
DEV_HDRS := $(wildcard include/*.h dev/*.h) tests/devtest.h
DEV_HOST_CFLAGS := -O1 -g -Wall -Wextra -Wshadow -std=gnu11 -D_GNU_SOURCE -Iinclude -Idev -Itests -pthread \
	$(DEV_SAN)
DEV_FUZZ_CFLAGS := -O1 -g -std=gnu11 -D_GNU_SOURCE -Iinclude -Idev -Itests \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(DEV_TEST_BINS): $(DEV_HOST_DIR)/%: tests/%.c $(DEV_SRCS) $(DEV_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(DEV_HOST_CFLAGS) -o $@ $< $(DEV_SRCS)

# Run every test even after a failure, then fail if any did.
devices-check: $(DEV_TEST_BINS)
	@fail=0; for t in $(DEV_TEST_BINS); do \
		echo "== $$t"; $$t || { echo "!! $$t failed"; fail=1; }; \
	done; exit $$fail

$(DEV_FUZZ_DIR)/fuzz_virtqueue: tests/fuzz_virtqueue.c $(DEV_SRCS) $(DEV_HDRS)
	@mkdir -p $(dir $@)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' | \
		$(FUZZ_CC) -x c - -fsanitize=fuzzer -o $@ >/dev/null 2>&1 || { \
		echo "fuzz: $(FUZZ_CC) cannot link libFuzzer; on Debian 12:" \
		"apt-get install -y clang libclang-rt-14-dev"; exit 1; }
	$(FUZZ_CC) $(DEV_FUZZ_CFLAGS) -o $@ $< $(DEV_SRCS)

# Well-formed starting inputs (random bytes rarely make a whole-sector request).
$(DEV_FUZZ_DIR)/seeds/.done: tests/fuzz_seeds.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -O1 -g -Wall -Wextra -std=gnu11 -o $(DEV_FUZZ_DIR)/fuzz_seeds $<
	$(DEV_FUZZ_DIR)/fuzz_seeds $(dir $@)
	@touch $@

# Crashes land in build/fuzz/crash-*; new inputs go to build/fuzz/corpus and persist.
fuzz: $(DEV_FUZZ_DIR)/fuzz_virtqueue $(DEV_FUZZ_DIR)/seeds/.done
	@mkdir -p $(DEV_FUZZ_DIR)/corpus
	$< -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(DEV_FUZZ_DIR)/ $(DEV_FUZZ_DIR)/corpus $(DEV_FUZZ_DIR)/seeds

.PHONY: devices-check fuzz

ifeq ($(DEV_STANDALONE),1)
.DEFAULT_GOAL := devices-check
else
.DEFAULT_GOAL := $(DEV_SAVED_GOAL)
endif
