/*
 * riscv.h - the machine this guest believes it runs on: QEMU virt, booted with `-bios none`,
 * entered in M-mode (as xv6-riscv is). Register bits from the RISC-V privileged spec.
 *
 * Under `vmm --profile xv6` the guest really runs in VS-mode: each M-mode CSR access below
 * traps to the personality shim (guests/xv6-riscv/shim.S), which keeps per-hart shadow copies.
 * The S-mode CSRs (sstatus, sie, sip, stvec, satp, stimecmp) are the hardware's VS copies.
 */
#ifndef XV6_STYLE_RISCV_H
#define XV6_STYLE_RISCV_H

#define NCPU 8 /* the VMM's --cpus limit; stacks and per-hart state are sized by it */

/* CSRs by number, so the assembler's CSR name list does not matter (stimecmp, menvcfg) */
#define CSR_STIMECMP 0x14d
#define CSR_MENVCFG 0x30a

#ifndef __ASSEMBLER__ /* entry.S shares the constants */
typedef unsigned long uint64;
typedef unsigned int uint32;

/* csr: a name the assembler knows or a CSR_ number; the _ level expands the CSR_ macros */
#define csr_read(csr) csr_read_(csr)
#define csr_write(csr, v) csr_op_("csrw", csr, v)
#define csr_set(csr, v) csr_op_("csrs", csr, v)
#define csr_clear(csr, v) csr_op_("csrc", csr, v)
#define csr_read_(csr) ({ uint64 v_; asm volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_op_(op, csr, v) asm volatile(op " " #csr ", %0" : : "r"((uint64)(v)) : "memory")
#endif

/* mstatus / sstatus */
#define MSTATUS_MPP_MASK (3UL << 11) /* the mode mret returns to */
#define MSTATUS_MPP_S (1UL << 11)
#define MSTATUS_MIE (1UL << 3)
#define SSTATUS_SIE (1UL << 1)

/* interrupt numbers, as bits of mie/mip/sie/sip and as scause codes (with the top bit) */
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define SCAUSE_INTR (1UL << 63)

#define MENVCFG_STCE (1UL << 63) /* Sstc: S-mode may use stimecmp */
#define MCOUNTEREN_TM (1UL << 1) /* S-mode may read the time CSR */

/* QEMU virt's CLINT (SiFive): mtime counts at the timebase, 10 MHz on QEMU and on KVM here */
#define CLINT 0x02000000UL
#define CLINT_MTIMECMP(hart) (CLINT + 0x4000 + 8 * (hart))
#define CLINT_MTIME (CLINT + 0xbff8)
#define TIMEBASE_HZ 10000000UL

#ifndef __ASSEMBLER__
static inline uint64 r_time(void) { return csr_read(time); }
static inline int cpuid(void) { uint64 tp; asm volatile("mv %0, tp" : "=r"(tp)); return (int)tp; }
static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
#endif

#endif
