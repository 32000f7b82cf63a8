/*
 * rt.h - the freestanding C runtime for milestone guests that are easier to read in C than in
 * asm (device drivers). No libc: SBI calls, MMIO accessors, CSR access, console output and the
 * BOOTCASE hypercalls. The guest runs in VS-mode; its "S-mode" CSRs are the virtual ones.
 */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stddef.h>
#include <stdint.h>
#include "bootcase.h" /* the SBI IDs and the BOOTCASE FIDs */

#define UART0 0x10000000UL
#define PLIC 0x0c000000UL
#define VIRTIO0 0x10001000UL
#define VIRTIO_STRIDE 0x1000UL
#define UART0_IRQ 10

/* scause values for the interrupts we take (interrupt bit | cause) */
#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

struct sbiret {
	long error;
	long value;
};

static inline struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
				     unsigned long a2)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r1 asm("a1") = a1;
	register unsigned long r2 asm("a2") = a2;
	register unsigned long r6 asm("a6") = fid;
	register unsigned long r7 asm("a7") = eid;
	asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

#define csr_read(csr)                                            \
	({                                                       \
		unsigned long __v;                               \
		asm volatile("csrr %0, " #csr : "=r"(__v)::"memory"); \
		__v;                                             \
	})
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" ::"rK"(v) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" ::"rK"(v) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" ::"rK"(v) : "memory")

static inline uint64_t rdtime(void)
{
	uint64_t t;
	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

/*
 * Sleep until an interrupt enabled in sie is pending, then take it. Call it with sstatus.SIE
 * clear, in a loop that tests the condition the handler sets: WFI resumes on a pending enabled
 * interrupt whatever SIE says (privileged spec, "Wait for Interrupt"), so an interrupt that
 * arrives between the caller's test and the WFI is not lost. With SIE set, it would be taken
 * before the WFI and the hart would then sleep with nothing left to wake it.
 */
static inline void wait_for_interrupt(void)
{
	asm volatile("wfi" ::: "memory");
	asm volatile("csrs sstatus, %0\n\tcsrc sstatus, %0" ::"r"(2UL) : "memory");
}

static inline uint8_t mmio_read8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline uint32_t mmio_read32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void mmio_write8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void mmio_write32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
#define barrier() asm volatile("fence rw, rw" ::: "memory")

/* console.c */
void puts(const char *s);
void puthex(uint64_t v);
void putdec(long v);
/* End the run through BOOTCASE EXIT: 0 = pass, anything else = that failure code. */
__attribute__((noreturn)) void bootcase_exit(long code);
void bootcase_mark(long id);
/* Fail with `code` and a message when `cond` is false. */
#define CHECK(cond, code)                                      \
	do {                                                   \
		if (!(cond)) {                                 \
			puts("CHECK failed: " #cond "\n");    \
			bootcase_exit(code);                   \
		}                                              \
	} while (0)

/*
 * HSM: hart_start(hartid, (unsigned long)secondary_entry, opaque) runs secondary_main(hartid,
 * opaque) on the started hart, on a stack of its own (one secondary at a time). The default
 * secondary_main stops the hart again; a guest defines its own to do something first.
 */
void secondary_entry(void);
void secondary_main(unsigned long hartid, unsigned long opaque);
/* HSM hart_stop: the calling hart stops; it does not return. */
__attribute__((noreturn)) void hart_stop(void);

/* trap.S: installs trap_vector in stvec; the C side implements trap_handler(). */
void trap_init(void);
void trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval);
__attribute__((noreturn)) void trap_unexpected(unsigned long scause, unsigned long sepc, unsigned long stval);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);


#endif
