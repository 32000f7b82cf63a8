/*
 * trap.c - S-mode traps, once main() has installed kerneltrap as stvec. The timer tick and
 * (hart 0, at the end) the UART's external interrupt are the traps this guest expects;
 * anything else ends the run with what happened.
 *
 * Each tick is checked against what the hardware (or the VMM's model of it) promises, so a
 * timer that fires early or forgets to re-arm is caught, not just one that never fires.
 */
#include "defs.h"

static void flag(struct hart *h, const char *what)
{
	if (!h->bad) {
		h->bad_at = r_time();
		h->bad = what;
	}
}

/* A tick that comes after the last one, before count_ticks() turns interrupts off (a hart
 * held up there for a whole interval on a loaded host), is checked but not counted. */
static void count(struct hart *h)
{
	if (h->ticks < NTICKS)
		h->ticks++;
}

#ifndef SSTC
/*
 * CLINT era: timervec (or the VMM, playing it) raised sip.SSIP once mtime reached mtimecmp, and
 * moved mtimecmp on. h->due is the deadline mtimecmp held when this hart last looked (start(),
 * then each tick), so the deadline behind this tick is at or after it: mtime >= h->due, and
 * mtimecmp > h->due now. mtimecmp is read before SSIP is cleared: a tick raised before that read
 * has set SSIP by the time of the clear and merges with this one (SSIP is one bit), and a tick
 * raised after it comes from the deadline the read saw or a later one, so neither looks early.
 */
static int tick(struct hart *h, int id, uint64 scause)
{
	uint64 now = r_time(), cmp;

	if (scause != (SCAUSE_INTR | IRQ_S_SOFT))
		return 0;
	cmp = *(volatile uint64 *)CLINT_MTIMECMP(id);
	if (now < h->due)
		flag(h, "a tick came before its deadline");
	if (cmp <= h->due)
		flag(h, "mtimecmp was not moved on after a tick");
	h->due = cmp;
	count(h);
	csr_clear(sip, 1UL << IRQ_S_SOFT); /* acknowledged, as xv6's devintr() does */
	return 1;
}
#else
/*
 * Sstc era: the supervisor timer interrupt is pending while time >= stimecmp; a new stimecmp
 * in the future is both the acknowledgement and the next tick. stimecmp is KVM's vstimecmp,
 * which KVM saves at each guest exit and writes back at vcpu_load, so read back it must hold
 * h->due, the value this hart last wrote. If it holds another, KVM lost our write (issue 12's
 * kind of bug), and that fails whatever time it is.
 *
 * If it holds ours and time is still below it, the L0 raised the interrupt, not the compare.
 * QEMU's vstimecmp timer callback sets VSTIP without comparing (QEMU 10.0,
 * target/riscv/time_helper.c), and its main loop takes an expired timer off its list before it
 * calls it. A stimecmp write that lands in between clears VSTIP and re-arms the timer, and the
 * callback, run late on a busy host, then sets VSTIP again. With two vCPUs on L1's one hart the
 * window is wide: KVM's vcpu_load writes this hart's overdue stimecmp, which raises VSTIP at
 * once but leaves QEMU's timer armed for the other vCPU's deadline; that one expires just as our
 * handler writes the next stimecmp. (The Sstc spec lets a write reach STIP late; QEMU's bit stays
 * until the next write.) Writing the same value again clears it; such an interrupt is counted
 * apart and is not a tick. More of them than NTICKS is a storm, a bit that does not clear: fail.
 */
static int tick(struct hart *h, int id, uint64 scause)
{
	uint64 now = r_time(), cmp = csr_read(CSR_STIMECMP);

	if (scause != (SCAUSE_INTR | IRQ_S_TIMER))
		return 0;
	if (cmp != h->due) {
		if (!h->bad) {
			h->held = cmp;
			h->wrote = h->due;
		}
		flag(h, "stimecmp lost a write: it holds another value than this hart wrote");
	} else if (now < cmp) {
		if (!h->spurious++) { /* where it fell: after our write, and after the other hart's deadline */
			h->spurious_after = now - (cmp - TICK_INTERVAL);
			h->other_past = (long)(now - harts[id ^ 1].due);
		}
		csr_write(CSR_STIMECMP, cmp);
		if (h->spurious > NTICKS) {
			flag(h, "a storm of timer interrupts before stimecmp");
			csr_clear(sie, 1UL << IRQ_S_TIMER);
		}
		return 1;
	}
	if (now < h->due)
		flag(h, "a tick came before stimecmp");
	h->due = now + TICK_INTERVAL;
	csr_write(CSR_STIMECMP, h->due);
	count(h);
	return 1;
}
#endif

volatile uint64 uart_intrs;
const char *volatile uart_bad;

/* A supervisor external interrupt: the PLIC says which source; only the UART is enabled. */
static int extintr(int id, uint64 scause)
{
	int irq;

	if (scause != (SCAUSE_INTR | IRQ_S_EXT))
		return 0;
	irq = plic_claim(id);
	if (irq == UART0_IRQ) {
		uartintr();
		uart_intrs++;
	} else if (irq) {
		uart_bad = "an interrupt from a PLIC source nothing enabled";
	}
	if (irq)
		plic_complete(id, irq);
	if (uart_intrs > UART_STORM) {
		uart_bad = "UART interrupt storm: the THR-empty interrupt is never acknowledged";
		csr_clear(sie, 1UL << IRQ_S_EXT);
	}
	return 1;
}

/* The interrupt attribute makes GCC save every register it touches and return with sret. */
__attribute__((interrupt("supervisor"), aligned(4))) void kerneltrap(void)
{
	uint64 scause = csr_read(scause);
	int id = cpuid();

	if (tick(&harts[id], id, scause) || extintr(id, scause))
		return;
	/* main() prints only with interrupts off, so this hart does not hold the print lock */
	printf("hart %d: unexpected trap: scause 0x%x sepc 0x%x stval 0x%x\n", id, scause,
	       csr_read(sepc), csr_read(stval));
	halt(3);
}
